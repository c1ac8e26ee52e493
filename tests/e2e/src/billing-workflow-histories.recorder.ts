/**
 * Records the billing workflows' histories the command worker's replay tests check their code
 * against (apps/command-worker/src/workflows/histories/billing-*.json): for the billing command
 * workflow a first plan, a plan change, a usage batch accepted, one of duplicates only (no append),
 * one refused, an admin's close; for the billing process a run that closed a cycle on its timer
 * and started the invoice's payment, a run woken by an admin's close and the run that settled it. Run it alone with
 * `npx jest --selectProjects services --testMatch '**\/billing-workflow-histories.recorder.ts' tests/e2e`
 * when the workflow gains a code path; never to make a failing replay pass (docs/workflow-versioning.md).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { billingCommandWorkflowId } from '@gyroscops/contracts';
import { billingProcessWorkflowId } from '@gyroscops/contracts/workflows';
import { ensureTemporalCli, waitFor } from '@gyroscops/dev-infra';
import { answer, apiClients, grantOrganizations } from './support/http-client';
import { startTestStack, type TestStack } from './support/test-stack';

const ORG = grantOrganizations(randomUUID());
const HISTORIES = join(resolve(__dirname, '../../..'), 'apps/command-worker/src/workflows/histories');

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ withoutProjectionWorker: true });
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

async function saveClosed(name: string, commandId: string): Promise<void> {
  const workflowId = billingCommandWorkflowId(commandId);
  await waitFor(
    `${workflowId} to close`,
    async () => (await stack.temporal.workflow.getHandle(workflowId).describe()).status.name !== 'RUNNING',
  );
  await saveHistory(name, workflowId);
}

/** The runs of the organization's billing process that continued as new, oldest first. */
async function processRuns(organizationId: string): Promise<string[]> {
  const runs: { runId: string; startTime: number }[] = [];
  const query = `WorkflowId = '${billingProcessWorkflowId(organizationId)}' AND ExecutionStatus = 'ContinuedAsNew'`;
  for await (const execution of stack.temporal.workflow.list({ query }))
    runs.push({ runId: execution.runId, startTime: execution.startTime.getTime() });
  return runs.sort((a, b) => a.startTime - b.startTime).map((run) => run.runId);
}

async function saveHistory(name: string, workflowId: string, runId?: string): Promise<void> {
  const cli = await ensureTemporalCli();
  const json = execFileSync(
    cli,
    [
      'workflow',
      'show',
      '--workflow-id',
      workflowId,
      ...(runId ? ['--run-id', runId] : []),
      '--output',
      'json',
      '--address',
      stack.env.temporalAddress,
      '--namespace',
      stack.env.namespace,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  writeFileSync(join(HISTORIES, `${name}.json`), `${JSON.stringify(JSON.parse(json.toString()), null, 1)}\n`);
}

/**
 * The command id of the refused command: a 400 answer carries none, so it is found among the
 * executions (visibility lags a little behind; this stack ran only one refused billing command).
 */
const refusedCommandId = () =>
  waitFor('the refused billing command to be listed', async () => {
    const query = `WorkflowType = 'billingCommandWorkflow' AND ExecutionStatus = 'Failed'`;
    for await (const execution of stack.temporal.workflow.list({ query }))
      return execution.workflowId.slice('billing-command-'.length);
    return undefined;
  });

it('records the billing command histories: plan set and changed, usage accepted, duplicates only, refused', async () => {
  const { command } = apiClients(stack);
  const plan = {
    currency: 'EUR',
    cycle: 'P1M',
    meters: { cpu_seconds: { unitPrice: '0.000012', aggregation: 'sum' as const } },
  };
  const setPlan = (body: typeof plan & { baseFee?: string }) =>
    answer(
      command.PUT('/organizations/{organizationId}/billing-plan', { params: { path: { organizationId: ORG } }, body }),
    );
  const first = await setPlan(plan);
  expect(first.status).toBe(200);
  await saveClosed('billing-plan-first', first.body.commandId);
  const changed = await setPlan({ ...plan, baseFee: '10.00' });
  expect(changed.status).toBe(200);
  await saveClosed('billing-plan-changed', changed.body.commandId);

  const records = [0, 1].map(() => ({
    recordId: randomUUID(),
    organizationId: ORG,
    meter: 'cpu_seconds',
    quantity: '2.5',
    occurredAt: new Date().toISOString(),
  }));
  const accepted = await answer(command.POST('/usage', { body: { records } }));
  expect(accepted.body).toMatchObject({ accepted: 2 });
  await saveClosed('billing-usage-accepted', accepted.body.commandId);
  const duplicates = await answer(command.POST('/usage', { body: { records } }));
  expect(duplicates.body).toMatchObject({ accepted: 0, duplicates: 2 });
  await saveClosed('billing-usage-duplicates', duplicates.body.commandId);

  const refused = await answer(
    command.POST('/usage', { body: { records: [{ ...records[0]!, recordId: randomUUID(), meter: 'gpu_seconds' }] } }),
  );
  expect(refused.status).toBe(400);
  await saveClosed('billing-usage-refused', await refusedCommandId());
});

it('records the billing cycle histories: an admin close, the process closing on its timer and settling a close', async () => {
  const { command } = apiClients(stack);
  const usage = (organizationId: string, occurredAt = new Date().toISOString()) =>
    answer(
      command.POST('/usage', {
        body: {
          records: [{ recordId: randomUUID(), organizationId, meter: 'cpu_seconds', quantity: '2.5', occurredAt }],
        },
      }),
    );

  // The timer: a PT2S cycle with usage, closed by the process, whose invoice's payment it starts.
  const timed = grantOrganizations(randomUUID());
  const plan = {
    currency: 'EUR',
    cycle: 'PT2S',
    meters: { cpu_seconds: { unitPrice: '0.5', aggregation: 'sum' as const } },
  };
  const set = await answer(
    command.PUT('/organizations/{organizationId}/billing-plan', {
      params: { path: { organizationId: timed } },
      body: plan,
    }),
  );
  expect((await usage(timed, (set.body as { effectiveFrom: string }).effectiveFrom)).status).toBe(202);
  const [timerRun] = await waitFor('the process run that closed the first cycle', async () => {
    const runs = await processRuns(timed);
    return runs.length > 0 ? runs : undefined;
  });
  await saveHistory('billing-process-timer-close', billingProcessWorkflowId(timed), timerRun);

  // An admin's close: the command, then the process run it woke and the run that settled it.
  const closedByAdmin = grantOrganizations(randomUUID());
  await answer(
    command.PUT('/organizations/{organizationId}/billing-plan', {
      params: { path: { organizationId: closedByAdmin } },
      body: { ...plan, cycle: 'P1D' },
    }),
  );
  expect((await usage(closedByAdmin)).status).toBe(202);
  const closed = await answer(
    command.POST('/organizations/{organizationId}/billing-cycle/close', {
      params: { path: { organizationId: closedByAdmin } },
    }),
  );
  expect(closed.status).toBe(202);
  await saveClosed('billing-cycle-close', (closed.body as { commandId: string }).commandId);
  const [woken, settled] = await waitFor('the process runs of the admin close', async () => {
    const runs = await processRuns(closedByAdmin);
    return runs.length >= 2 ? runs : undefined;
  });
  await saveHistory('billing-process-woken', billingProcessWorkflowId(closedByAdmin), woken);
  await saveHistory('billing-process-settled', billingProcessWorkflowId(closedByAdmin), settled);
});
