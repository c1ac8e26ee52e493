/**
 * Recorded runs of the projection workflows (npm run record:histories) must replay on the current
 * code: a projection that follows, halts on a poison event and resumes; one that retries its dead
 * letters; a rebuild. The projection workflows are long-lived executions with fixed ids, so a change
 * that does not replay breaks every running projection at once (docs/workflow-versioning.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowBundleOption } from '@temporalio/worker';
import { replayRecordedHistories } from '@gyroscops/platform/worker';
import { loadWorkflowBundle } from '../workflow-bundle';

const RECORDED = ['event-counts-rebuild.json', 'payment-statistics-projection.json', 'payments-projection.json'];

let bundle: WorkflowBundleOption;
beforeAll(async () => {
  bundle = await loadWorkflowBundle();
});

it('bundles no HTTP schemas: with reuseV8Context every workflow execution evaluates the bundle again', () => {
  const code = 'code' in bundle ? bundle.code : readFileSync(bundle.codePath, 'utf8');
  expect(code).toContain('projectionRebuildWorkflow');
  expect(code).not.toContain('@sinclair/typebox');
});

it('replays every recorded projection history without a determinism error', async () => {
  const outcomes = await replayRecordedHistories(join(__dirname, 'histories'), bundle);
  expect(outcomes).toEqual(RECORDED.map((file) => ({ file })));
});
