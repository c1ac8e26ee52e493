/**
 * The invoice payment process's histories recorded from real executions
 * (tests/e2e/src/invoice-payment-histories.recorder.ts) must replay on the current workflow code,
 * complete or cut off after each workflow task (processes waiting on a dunning timer, or in the
 * middle of a payment, when new code is deployed): a non-deterministic change fails here first.
 * The payment method command's history is checked the same way.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowBundleOption } from '@temporalio/worker';
import { replayRecordedHistories } from '@gyroscops/platform/worker';
import { loadWorkflowBundle } from '../workflow-bundle';

const HISTORIES = join(__dirname, 'histories');
const RECORDED = [
  'invoice-payment-paid.json',
  'invoice-payment-uncollectible.json',
  'invoice-payment-paid-after-uncollectible.json',
  'invoice-payment-voided.json',
  'account-payment-method-set.json',
];

type HistoryJson = { events: { eventType: string }[] };

let bundle: WorkflowBundleOption;
let directory: string;
beforeAll(async () => {
  bundle = await loadWorkflowBundle();
  directory = mkdtempSync(join(tmpdir(), 'invoice-payment-replay-'));
});
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

it('replays every recorded invoice payment history without a determinism error', async () => {
  const complete = mkdtempSync(join(directory, 'complete-'));
  for (const file of RECORDED) copyFileSync(join(HISTORIES, file), join(complete, file));

  const outcomes = await replayRecordedHistories(complete, bundle);

  expect(outcomes.map((outcome) => outcome.file).sort()).toEqual([...RECORDED].sort());
  expect(outcomes.filter((outcome) => outcome.error)).toEqual([]);
});

it('replays them cut off after each of their workflow tasks: in flight when new code arrives', async () => {
  const cut = mkdtempSync(join(directory, 'cut-'));
  let written = 0;
  for (const file of RECORDED) {
    const history = JSON.parse(readFileSync(join(HISTORIES, file), 'utf8')) as HistoryJson;
    history.events.forEach((event, index) => {
      if (event.eventType !== 'EVENT_TYPE_WORKFLOW_TASK_STARTED' || index === history.events.length - 1) return;
      writeFileSync(
        join(cut, `${file.replace('.json', '')}-until-${index + 1}.json`),
        JSON.stringify({ ...history, events: history.events.slice(0, index + 1) }),
      );
      written += 1;
    });
  }

  const outcomes = await replayRecordedHistories(cut, bundle);

  expect(outcomes).toHaveLength(written);
  // The dunning history alone has a workflow task per attempt and per timer.
  expect(written).toBeGreaterThanOrEqual(RECORDED.length + 6);
  expect(outcomes.filter((outcome) => outcome.error)).toEqual([]);
});
