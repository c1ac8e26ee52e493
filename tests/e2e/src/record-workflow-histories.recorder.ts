/**
 * Records the histories the replay tests check new workflow code against. Run it (npm run
 * record:histories) only when a workflow changes ON PURPOSE in a way old executions may not see,
 * together with a patch (patched()) or a new workflow type; never to make a failing replay test pass.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { ensureTemporalCli } from '@gyroscops/dev-infra';
import { commandWorkflowId, projectionWorkflowId, PROJECTIONS } from '@gyroscops/contracts';
import { call, grantOrganizations } from './support/http-client';

grantOrganizations('org-replay');
import { startTestStack, type TestStack } from './support/test-stack';

const ROOT = resolve(__dirname, '../../..');
const COMMAND_HISTORIES = join(ROOT, 'apps/command-worker/src/workflows/histories');
const PROJECTION_HISTORIES = join(ROOT, 'apps/projection-worker/src/workflows/histories');

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** The Temporal CLI writes histories in the JSON form `historyFromJSON` reads (the form the UI downloads too). */
async function save(directory: string, name: string, workflowId: string) {
  const cli = await ensureTemporalCli();
  const json = execFileSync(cli, ['workflow', 'show', '--workflow-id', workflowId, '--output', 'json', '--address', stack.env.temporalAddress, '--namespace', stack.env.namespace], { maxBuffer: 64 * 1024 * 1024 });
  writeFileSync(join(directory, `${name}.json`), `${JSON.stringify(JSON.parse(json.toString()), null, 1)}\n`);
}

it('records one history per kind of command and one of the payments projection', async () => {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) => call(stack.commandUrl, 'POST', path, { body, headers });
  const created = await post('/payments', { organizationId: 'org-replay', amount: '80.00', currency: 'EUR', description: 'recorded' });
  await save(COMMAND_HISTORIES, 'create-processed', commandWorkflowId(created.body.commandId));
  const declined = await post('/payments', { organizationId: 'org-replay', amount: '1.00', currency: 'EUR', metadata: { simulate: 'decline' } });
  await save(COMMAND_HISTORIES, 'create-declined', commandWorkflowId(declined.body.commandId));
  const flaky = await post('/payments', { organizationId: 'org-replay', amount: '2.00', currency: 'EUR', metadata: { simulate: 'flaky' } });
  await save(COMMAND_HISTORIES, 'create-flaky', commandWorkflowId(flaky.body.commandId));
  const id = created.body.paymentId;
  const updated = await call(stack.commandUrl, 'PATCH', `/payments/${id}`, { body: { description: 'changed' } });
  await save(COMMAND_HISTORIES, 'update', commandWorkflowId(updated.body.commandId));
  const refunded = await post(`/payments/${id}/refunds`, { amount: '30.00' });
  await save(COMMAND_HISTORIES, 'refund', commandWorkflowId(refunded.body.commandId));
  const rejected = await post(`/payments/${id}/refunds`, { amount: '300.00' }, { prefer: 'respond-async' });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await save(COMMAND_HISTORIES, 'refund-rejected', commandWorkflowId(rejected.body.commandId));
  const deleted = await call(stack.commandUrl, 'DELETE', `/payments/${id}`);
  await save(COMMAND_HISTORIES, 'delete', commandWorkflowId(deleted.body.commandId));
  await call(stack.queryUrl, 'GET', `/payments/${id}`, { headers: { 'x-min-position': deleted.body.position } });
  await save(PROJECTION_HISTORIES, 'payments-projection', projectionWorkflowId(PROJECTIONS.payments));
});
