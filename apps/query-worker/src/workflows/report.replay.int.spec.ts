/**
 * Recorded reports of each kind (npm run record:histories) must replay on the current workflow
 * code: a report runs for minutes, so a deployment meets reports in flight (docs/workflow-versioning.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowBundleOption } from '@temporalio/worker';
import { replayRecordedHistories } from '@gyroscops/platform/worker';
import { loadWorkflowBundle } from '../workflow-bundle';

const RECORDED = ['report-event-types.json', 'report-payment-export-csv.json', 'report-payment-statistics.json'];

let bundle: WorkflowBundleOption;
beforeAll(async () => {
  bundle = await loadWorkflowBundle();
});

it('bundles no HTTP schemas: with reuseV8Context every workflow execution evaluates the bundle again', () => {
  const code = 'code' in bundle ? bundle.code : readFileSync(bundle.codePath, 'utf8');
  expect(code).toContain('reportWorkflow');
  expect(code).not.toContain('@sinclair/typebox');
});

it('replays every recorded report history without a determinism error', async () => {
  const outcomes = await replayRecordedHistories(join(__dirname, 'histories'), bundle);
  expect(outcomes).toEqual(RECORDED.map((file) => ({ file })));
});
