/**
 * Records the billing command workflow's histories the command worker's replay tests check its
 * code against (apps/command-worker/src/workflows/histories/billing-*.json): a first plan, a plan
 * change, a usage batch accepted, one of duplicates only (no append), one refused. Run it alone with
 * `npx jest --selectProjects services --testMatch '**\/billing-workflow-histories.recorder.ts' tests/e2e`
 * when the workflow gains a code path; never to make a failing replay pass (docs/workflow-versioning.md).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { billingCommandWorkflowId } from '@gyroscops/contracts';
import { ensureTemporalCli, waitFor } from '@gyroscops/dev-infra';
import { answer, apiClients, grantOrganizations } from './support/http-client';
import { startTestStack, type TestStack } from './support/test-stack';

const ORG = grantOrganizations('org-billing-replay');
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
  const cli = await ensureTemporalCli();
  const json = execFileSync(
    cli,
    [
      'workflow',
      'show',
      '--workflow-id',
      workflowId,
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
