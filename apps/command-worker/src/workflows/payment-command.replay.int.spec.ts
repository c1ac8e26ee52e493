/**
 * Histories recorded from real executions (npm run record:histories) must replay on the current
 * workflow code: a non-deterministic change fails here before it can break running commands.
 */
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { replayRecordedHistories } from '@gyroscops/platform/worker';
import { loadWorkflowBundle } from '../workflow-bundle';

const HISTORIES = join(__dirname, 'histories');

it('replays every recorded command history without a determinism error', async () => {
  const outcomes = await replayRecordedHistories(HISTORIES, await loadWorkflowBundle());
  expect(outcomes.map((outcome) => outcome.file)).toEqual(
    expect.arrayContaining(['create-processed.json', 'create-declined.json', 'create-flaky.json', 'update.json', 'refund.json', 'refund-rejected.json', 'delete.json']),
  );
  expect(outcomes.filter((outcome) => outcome.error)).toEqual([]);
});

it('fails on workflow code that changed the order of its steps', async () => {
  const incompatible = await bundleWorkflowCode({ workflowsPath: require.resolve('./test-support/reordered-command.workflow'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } });
  const outcomes = await replayRecordedHistories(HISTORIES, incompatible);
  const created = outcomes.find((outcome) => outcome.file === 'create-processed.json');
  expect(created?.error?.name).toBe('DeterminismViolationError');
});
