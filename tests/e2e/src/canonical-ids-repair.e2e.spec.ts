/**
 * The repair path of a store written before ids were canonicalized at the edge, as an operator runs
 * it: the services over real HTTP and the CLI's built `repair-stream-ids` command as a process.
 * The store holds what the probe found: a second stream, of another organization, under a payment's
 * id spelled in upper case, and a payment known only by its upper-case id. A rebuild over it fails
 * and now says why in GET /projections; the repair renames or re-keys the streams, dropping no event;
 * rebuilt read models then equal a fold of the event store.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { PAYMENT_STREAM_TYPE, projectionRebuildWorkflowId, PROJECTIONS } from '@gyroscops/contracts';
import { waitFor } from '@gyroscops/dev-infra';
import { decide, foldPayment, isDomainError, PAYMENT_EVENT_SCHEMA_VERSION, type PaymentEvent } from '@gyroscops/domain';
import { appendToStream, headPosition } from '@gyroscops/event-store';
import { createSimulatedGateway } from '@gyroscops/payment-gateway';
import { withTablesOf } from '@gyroscops/platform';
import { readCheckpoints, type ProjectionTables } from '@gyroscops/projections';
import { readModelDifferences } from '@gyroscops/read-models';
import { answer, apiClients, bearer, grantOrganizations, type ApiClients } from './support/http-client';
import { startTestStack, type TestStack } from './support/test-stack';

const CLI = join(__dirname, '../../../apps/cli/dist/main.js');

let stack: TestStack;
let api: ApiClients;
const orgA = grantOrganizations(`org-a-${randomUUID().slice(0, 8)}`);
const orgB = grantOrganizations(`org-b-${randomUUID().slice(0, 8)}`);
const asA = { authorization: bearer({ sub: 'user-a', orgs: [orgA] }) };
const asB = { authorization: bearer({ sub: 'user-b', orgs: [orgB] }) };
const after = (position: string) => ({ 'x-min-position': position, 'x-wait-ms': '10000' });

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClients(stack);
  // Generous: the workflow bundles are built on a machine shared with other test runs.
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

/** A UUID whose spellings surely differ (it has letters). */
const lettered = () => `abcdef${randomUUID().slice(6)}`;

/**
 * A processed payment appended as the command path did before ids were canonical: the id spelled as
 * the client sent it, in the store and in the gateway's ledger (which a repair cannot rename).
 */
async function appendAsBefore(paymentId: string, organizationId: string, amount: string): Promise<void> {
  const now = new Date().toISOString();
  const charge = await createSimulatedGateway(stack.gatewayDb).charge({
    paymentId,
    amount,
    currency: 'EUR',
    metadata: {},
    idempotencyKey: `charge-${paymentId}`,
  });
  if (charge.outcome !== 'approved') throw new Error(`the seeded charge was ${charge.outcome}`);
  const initiated = decide(
    foldPayment([]),
    { type: 'CreatePayment', data: { paymentId, organizationId, userId: 'user-before', amount, currency: 'EUR' } },
    now,
  );
  if (isDomainError(initiated)) throw initiated;
  const processed = decide(
    foldPayment(initiated),
    { type: 'RecordChargeResult', data: { paymentId, outcome: 'approved', gatewayReference: charge.gatewayReference } },
    now,
  );
  if (isDomainError(processed)) throw processed;
  const commandId = randomUUID();
  // The event store takes canonical stream ids only now: write under a fresh one, then spell it as before.
  const writtenAs = `payment-${randomUUID()}`;
  await appendToStream(stack.eventStore, {
    streamId: writtenAs,
    streamType: PAYMENT_STREAM_TYPE,
    expectedVersion: 'no_stream',
    events: [...initiated, ...processed].map((event: PaymentEvent) => ({
      eventId: randomUUID(),
      type: event.type,
      data: event.data as unknown as Record<string, unknown>,
      metadata: {
        organizationId,
        commandId,
        correlationId: commandId,
        userId: 'user-before',
        schemaVersion: PAYMENT_EVENT_SCHEMA_VERSION,
      },
      schemaVersion: PAYMENT_EVENT_SCHEMA_VERSION,
    })),
  });
  await stack.eventStore.transaction().execute(async (trx) => {
    await sql`UPDATE streams SET stream_id = ${`payment-${paymentId}`} WHERE stream_id = ${writtenAs}`.execute(trx);
    await sql`ALTER TABLE events DISABLE TRIGGER events_append_only`.execute(trx);
    await sql`UPDATE events SET stream_id = ${`payment-${paymentId}`} WHERE stream_id = ${writtenAs}`.execute(trx);
    await sql`ALTER TABLE events ENABLE TRIGGER events_append_only`.execute(trx);
  });
}

/** The built CLI, on this test file's databases. */
async function cli(...args: string[]): Promise<string> {
  const env = {
    ...process.env,
    DATABASE_URL: stack.env.eventStoreDatabaseUrl,
    EVENT_STORE_DATABASE_URL: stack.env.eventStoreDatabaseUrl,
    READ_DATABASE_URL: stack.env.readDatabaseUrl,
  };
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'repair-stream-ids', ...args], { env });
  return stdout;
}

async function allEventIds(): Promise<string[]> {
  const { rows } = await sql<{ event_id: string }>`SELECT event_id FROM events ORDER BY event_id`.execute(
    stack.eventStore,
  );
  return rows.map((row) => row.event_id);
}

async function projectionsCaughtUp(): Promise<void> {
  const head = await headPosition(stack.eventStore);
  await waitFor('every projection at the head of the event store', async () =>
    (await readCheckpoints(withTablesOf<ProjectionTables>(stack.readDb))).every(
      (checkpoint) => checkpoint.position >= head && checkpoint.state === 'live',
    ),
  );
}

/** POST /projections/{name}/rebuild, then its workflow's end. */
async function rebuild(name: string) {
  const started = await answer(api.query.POST('/projections/{name}/rebuild', { params: { path: { name } } }));
  expect(started.status).toBe(202);
  return stack.temporal.workflow.getHandle(projectionRebuildWorkflowId(name)).result();
}

const projectionStatus = async (name: string) =>
  (await answer(api.query.GET('/projections'))).body.items.find((item: { name: string }) => item.name === name);

it('repairs split streams so that rebuilds work again, and no event is lost or applied twice', async () => {
  const split = lettered();
  const created = await answer(
    api.command.POST('/payments', {
      headers: asA,
      body: { organizationId: orgA, paymentId: split, amount: '100.00', currency: 'EUR' },
    }),
  );
  expect(created.status).toBe(201);
  await appendAsBefore(split.toUpperCase(), orgB, '7.00');
  const lone = lettered();
  await appendAsBefore(lone.toUpperCase(), orgA, '3.00');
  await projectionsCaughtUp();
  // The read models are not what a fold of the store gives: the probe's symptoms.
  expect(await readModelDifferences(stack.eventStore, stack.readDb)).not.toEqual([]);

  // A rebuild over the split store: its failing batch shows in GET /projections (it showed
  // `rebuilding`, eventsDone 0, lastError null for good), then isolation lets it through.
  const rebuilding = rebuild(PROJECTIONS.payments);
  const failing = await waitFor('the rebuild error in GET /projections', async () => {
    const status = await projectionStatus(PROJECTIONS.payments);
    return status?.lastError ? status : undefined;
  });
  expect(failing.state).toBe('rebuilding');
  expect(failing.lastError).toMatch(/^rebuild failing: .*has two streams.*repair the stream ids/);
  await rebuilding;
  expect(await projectionStatus(PROJECTIONS.payments)).toMatchObject({ state: 'live', lastError: null, rebuild: null });

  // The dry run changes nothing.
  const before = await allEventIds();
  expect(await cli('--quiet-for', '0')).toContain('dry run: 1 to rename, 1 to re-key, 0 held');
  expect(
    await sql`SELECT stream_id FROM streams WHERE stream_id = ${`payment-${lone.toUpperCase()}`}`
      .execute(stack.eventStore)
      .then((result) => result.rows.length),
  ).toBe(1);

  const report = await cli('--apply', '--quiet-for', '0');
  expect(report).toContain('repaired: 1 renamed, 1 re-keyed, 0 held');
  expect(report).toContain(`npm run projections -- rebuild ${PROJECTIONS.payments}`);
  // How we know no event is lost or doubled: the same event ids before and after, each once.
  expect(await allEventIds()).toEqual(before);
  const { rows: moves } = await sql<{
    action: string;
    stream_id_before: string;
    stream_id_after: string;
    organization_id: string;
  }>`
    SELECT action, stream_id_before, stream_id_after, organization_id FROM stream_id_repairs ORDER BY id`.execute(
    stack.eventStore,
  );
  expect(moves.map((move) => [move.action, move.stream_id_before, move.organization_id])).toEqual([
    ['rekeyed', `payment-${split.toUpperCase()}`, orgB],
    ['renamed', `payment-${lone.toUpperCase()}`, orgA],
  ]);
  expect(moves[1]!.stream_id_after).toBe(`payment-${lone}`);
  const rekeyedId = moves[0]!.stream_id_after.slice('payment-'.length);

  await rebuild(PROJECTIONS.payments);
  await rebuild(PROJECTIONS.paymentStatistics);
  await rebuild(PROJECTIONS.paymentAnalytics);
  await projectionsCaughtUp();
  // Every read model equals the domain's fold of the repaired store: nothing missing, nothing applied twice.
  expect(await readModelDifferences(stack.eventStore, stack.readDb)).toEqual([]);

  const position = (await headPosition(stack.eventStore)).toString();
  const view = (as: typeof asA, paymentId: string) =>
    answer(
      api.query.GET('/payments/{paymentId}', { headers: as, params: { path: { paymentId }, header: after(position) } }),
    );
  expect((await view(asA, split.toUpperCase())).body).toMatchObject({
    paymentId: split,
    organizationId: orgA,
    amount: '100.00',
    status: 'processed',
  });
  expect((await view(asB, split)).status).toBe(404);
  // B's money stays visible to B, under its new id.
  expect((await view(asB, rekeyedId)).body).toMatchObject({
    paymentId: rekeyedId,
    organizationId: orgB,
    amount: '7.00',
    status: 'processed',
    version: 2,
  });
  expect((await view(asA, lone.toUpperCase())).body).toMatchObject({
    paymentId: lone,
    amount: '3.00',
    status: 'processed',
    version: 2,
  });
  const refund = await answer(
    api.command.POST('/payments/{paymentId}/refunds', {
      headers: asA,
      params: { path: { paymentId: lone.toUpperCase() } },
      body: { amount: '1.00' },
    }),
  );
  expect(refund.status).toBe(201);
  expect(refund.body).toMatchObject({ paymentId: lone, version: 4, status: 'partially_refunded' });

  expect(await cli('--apply', '--quiet-for', '0')).toContain('nothing to repair');
}, 240_000);
