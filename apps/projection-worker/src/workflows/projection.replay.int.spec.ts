/** A recorded run of the payments projection workflow must replay on the current code. */
import { join } from 'node:path';
import { replayRecordedHistories } from '@gyroscops/platform/worker';
import { loadWorkflowBundle } from '../workflow-bundle';

it('replays the recorded projection history without a determinism error', async () => {
  const outcomes = await replayRecordedHistories(join(__dirname, 'histories'), await loadWorkflowBundle());
  expect(outcomes).toEqual([{ file: 'payments-projection.json' }]);
});
