/**
 * Histories recorded from real executions (npm run record:histories) must replay on the current
 * workflow code, complete or cut off mid-way (as commands in flight during a deployment are): a
 * non-deterministic change fails here before it can break running commands. The rule for changing
 * workflow code is in docs/workflow-versioning.md.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';
import { replayRecordedHistories } from '@gyroscops/platform/worker';
import { loadWorkflowBundle } from '../workflow-bundle';

const HISTORIES = join(__dirname, 'histories');
const RECORDED = [
  'create-processed.json',
  'create-declined.json',
  'create-flaky.json',
  'update.json',
  'refund.json',
  'refund-rejected.json',
  'refund-declined.json',
  'refund-flaky.json',
  'delete.json',
  'create-answer-lost-settled.json',
  'create-unreachable-settled.json',
  'refund-answer-lost-settled.json',
  'refund-unreachable-settled.json',
];

type HistoryJson = { events: { eventType: string }[] };

let bundle: WorkflowBundleOption;
beforeAll(async () => {
  bundle = await loadWorkflowBundle();
});

it('bundles no HTTP schemas: with reuseV8Context every workflow execution evaluates the bundle again', () => {
  const code = 'code' in bundle ? bundle.code : readFileSync(bundle.codePath, 'utf8');
  expect(code).toContain('paymentCommandWorkflow');
  expect(code).not.toContain('@sinclair/typebox');
});

it('replays every recorded command history without a determinism error', async () => {
  const outcomes = await replayRecordedHistories(HISTORIES, bundle);
  expect(outcomes.map((outcome) => outcome.file)).toEqual(expect.arrayContaining(RECORDED));
  expect(outcomes.filter((outcome) => outcome.error)).toEqual([]);
});

it('replays those commands cut off after each of their workflow tasks: in flight when new code arrives', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'command-in-flight-'));
  try {
    for (const file of readdirSync(HISTORIES).filter((name) => name.endsWith('.json'))) {
      const history = JSON.parse(readFileSync(join(HISTORIES, file), 'utf8')) as HistoryJson;
      history.events.forEach((event, index) => {
        if (event.eventType !== 'EVENT_TYPE_WORKFLOW_TASK_STARTED' || index === history.events.length - 1) return;
        writeFileSync(
          join(directory, `${file.replace('.json', '')}-until-${index + 1}.json`),
          JSON.stringify({ ...history, events: history.events.slice(0, index + 1) }),
        );
      });
    }
    const outcomes = await replayRecordedHistories(directory, bundle);
    expect(outcomes.length).toBeGreaterThanOrEqual(RECORDED.length);
    expect(outcomes.filter((outcome) => outcome.error)).toEqual([]);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

it('fails on workflow code that changed the order of its steps', async () => {
  const incompatible = await bundleWorkflowCode({
    workflowsPath: require.resolve('./test-support/reordered-command.workflow'),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
  });
  const outcomes = await replayRecordedHistories(HISTORIES, incompatible);
  const created = outcomes.find((outcome) => outcome.file === 'create-processed.json');
  expect(created?.error?.name).toBe('DeterminismViolationError');
});
