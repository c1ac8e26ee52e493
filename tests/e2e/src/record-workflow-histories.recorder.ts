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
import { apiClients, grantOrganizations, ran } from './support/http-client';

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
  const { command, query } = apiClients(stack);
  const create = async (body: { organizationId: string; amount: string; currency: string; description?: string; metadata?: Record<string, string> }) => ran(await command.POST('/payments', { body }));
  const created = await create({ organizationId: 'org-replay', amount: '80.00', currency: 'EUR', description: 'recorded' });
  await save(COMMAND_HISTORIES, 'create-processed', commandWorkflowId(created.commandId));
  const declined = await create({ organizationId: 'org-replay', amount: '1.00', currency: 'EUR', metadata: { simulate: 'decline' } });
  await save(COMMAND_HISTORIES, 'create-declined', commandWorkflowId(declined.commandId));
  const flaky = await create({ organizationId: 'org-replay', amount: '2.00', currency: 'EUR', metadata: { simulate: 'flaky' } });
  await save(COMMAND_HISTORIES, 'create-flaky', commandWorkflowId(flaky.commandId));
  const path = { paymentId: created.paymentId };
  const updated = (await command.PATCH('/payments/{paymentId}', { params: { path }, body: { description: 'changed' } })).data!;
  await save(COMMAND_HISTORIES, 'update', commandWorkflowId(updated.commandId));
  const refunded = (await command.POST('/payments/{paymentId}/refunds', { params: { path }, body: { amount: '30.00' } })).data!;
  await save(COMMAND_HISTORIES, 'refund', commandWorkflowId(refunded.commandId));
  const rejected = (await command.POST('/payments/{paymentId}/refunds', { params: { path, header: { prefer: 'respond-async' } }, body: { amount: '300.00' } })).data!;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await save(COMMAND_HISTORIES, 'refund-rejected', commandWorkflowId(rejected.commandId));
  const deleted = ran(await command.DELETE('/payments/{paymentId}', { params: { path } }));
  await save(COMMAND_HISTORIES, 'delete', commandWorkflowId(deleted.commandId));
  await query.GET('/payments/{paymentId}', { params: { path, header: { 'x-min-position': deleted.position } } });
  await save(PROJECTION_HISTORIES, 'payments-projection', projectionWorkflowId(PROJECTIONS.payments));
});
