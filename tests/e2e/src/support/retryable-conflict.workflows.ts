/**
 * Workflow code for command-answers.int.spec.ts: stands in for the billing command workflow (same
 * workflow type, so the command-result interceptor answers its update) on a task queue of its own.
 * A command that asks for it loses every optimistic-concurrency race on its first run and succeeds on
 * the next; the
 * `attempt` activity counts the runs of each command id.
 */
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';

export interface ConflictCommand {
  context: { commandId: string };
  loseFirstRun: boolean;
}
export interface ConflictResult {
  commandId: string;
  run: number;
}

const { attempt } = proxyActivities<{ attempt(commandId: string): Promise<number> }>({
  startToCloseTimeout: '10 seconds',
});

export async function billingCommandWorkflow(command: ConflictCommand): Promise<ConflictResult> {
  const run = await attempt(command.context.commandId);
  if (run === 1 && command.loseFirstRun)
    throw ApplicationFailure.nonRetryable('the plan kept changing meanwhile', 'CONFLICT_RETRYABLE');
  return { commandId: command.context.commandId, run };
}
