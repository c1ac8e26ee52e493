import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';

export interface ReplayOutcome {
  file: string;
  error?: Error;
}

/**
 * Replays every recorded history (JSON, as `temporal workflow show --output json` writes it) in a
 * folder against workflow code. A change that would break running executions fails here, with a
 * DeterminismViolationError, instead of in production.
 */
export async function replayRecordedHistories(
  directory: string,
  workflowBundle: WorkflowBundleOption,
): Promise<ReplayOutcome[]> {
  const files = readdirSync(directory)
    .filter((file) => file.endsWith('.json'))
    .sort();
  const histories = files.map((file) => ({
    workflowId: file,
    history: JSON.parse(readFileSync(join(directory, file), 'utf8')) as unknown,
  }));
  const outcomes: ReplayOutcome[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
    outcomes.push(result.error ? { file: result.workflowId, error: result.error } : { file: result.workflowId });
  }
  return outcomes;
}
