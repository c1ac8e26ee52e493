/**
 * The rebuild workflow on a real Temporal server and real Postgres, over a store holding an event
 * its projection cannot apply: the failing batch shows its error at once, is retried, and from the
 * fourth attempt gets the live batches' poison policy (park and complete, or halt and fail saying
 * which event), instead of retrying silently with the projection shown as `rebuilding` for good.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { sql, type Kysely } from 'kysely';
import { createTestEnvironment, waitFor, type TestEnvironment } from '@gyroscops/dev-infra';
import { appendToStream, eventStoreMigrations, type EventStoreDb, type EventStoreTables } from '@gyroscops/event-store';
import { createDatabase, runMigrations, withTablesOf } from '@gyroscops/platform';
import {
  ensureCheckpoint,
  listDeadLetters,
  projectionMigrations,
  readProjectionStatuses,
  type PoisonPolicy,
  type Projection,
  type ProjectionTables,
} from '@gyroscops/projections';
import { createProjectionWorker, startProjectionRebuild } from '../worker';
import { loadWorkflowBundle } from '../workflow-bundle';

let env: TestEnvironment;
let eventStore: EventStoreDb;
let readDb: Kysely<any>;
let runnerDb: Kysely<ProjectionTables>;
let connection: Connection;
let client: Client;
let native: NativeConnection;
let worker: Worker;
let running: Promise<void>;

/** A projection with its own table and event types; `apply` throws on its poison event. */
function poisonedProjection(poisonPolicy: PoisonPolicy) {
  const suffix = randomUUID().slice(0, 8);
  const table = `rebuild_rows_${suffix}`;
  const types = { good: `Good-${suffix}`, poison: `Poison-${suffix}` };
  const projection: Projection = {
    name: `rebuild_${poisonPolicy}_${suffix}`,
    version: 1,
    eventTypes: [types.good, types.poison],
    tables: [table],
    poisonPolicy,
    async apply(events, trx) {
      await sql`INSERT INTO ${sql.id(table)} (position) SELECT unnest(${events.map((event) => event.position.toString())}::bigint[])`.execute(
        trx,
      );
      const poison = events.find((event) => event.type === types.poison);
      if (poison) throw new Error(`cannot apply ${poison.eventId}`);
      return { paymentIds: [], organizationIds: [] };
    },
  };
  return { projection, table, types };
}

const parking = poisonedProjection('park');
const halting = poisonedProjection('halt');

beforeAll(async () => {
  env = await createTestEnvironment();
  eventStore = createDatabase<EventStoreTables>({ url: env.eventStoreDatabaseUrl });
  readDb = createDatabase({ url: env.readDatabaseUrl });
  runnerDb = withTablesOf<ProjectionTables>(readDb);
  await runMigrations(eventStore, eventStoreMigrations);
  await runMigrations(readDb, projectionMigrations);
  for (const { projection, table } of [parking, halting]) {
    await sql`CREATE TABLE ${sql.id(table)} (position bigint PRIMARY KEY)`.execute(readDb);
    await ensureCheckpoint(runnerDb, projection.name, projection.version);
  }
  connection = await Connection.connect({ address: env.temporalAddress });
  client = new Client({ connection, namespace: env.namespace });
  native = await NativeConnection.connect({ address: env.temporalAddress });
  worker = await createProjectionWorker({
    connection: native,
    namespace: env.namespace,
    workflowBundle: await loadWorkflowBundle(),
    dependencies: {
      readDb: runnerDb,
      eventStore,
      projections: { [parking.projection.name]: parking.projection, [halting.projection.name]: halting.projection },
      keyPrefix: env.redisPrefix,
      batchSize: 10,
      rebuildBatchSize: 10,
    },
    shutdownGraceTime: '1 second',
  });
  running = worker.run();
}, 300_000);

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await Promise.allSettled([connection?.close(), native?.close(), eventStore?.destroy(), readDb?.destroy()]);
  await env?.dispose();
});

async function append(types: string[]) {
  const events = types.map((type) => ({ eventId: randomUUID(), type, data: {}, metadata: {} }));
  const result = await appendToStream(eventStore, {
    streamId: `test-${randomUUID()}`,
    streamType: 'test',
    expectedVersion: 'no_stream',
    events,
  });
  return events.map((event, index) => ({ ...event, position: result.firstPosition + BigInt(index) }));
}

const statusOf = async (name: string) =>
  (await readProjectionStatuses(runnerDb, eventStore)).find((status) => status.name === name)!;
const rowsOf = async (table: string) =>
  (
    await sql<{ position: string }>`SELECT position::text FROM ${sql.id(table)} ORDER BY position`.execute(readDb)
  ).rows.map((row) => BigInt(row.position));

it('parks the poison event once its batch kept failing, shows the failures meanwhile, and completes', async () => {
  const events = await append([parking.types.good, parking.types.poison, parking.types.good]);
  const handle = await startProjectionRebuild(client, parking.projection.name);

  const failing = await waitFor('the failing batch in the status', async () => {
    const status = await statusOf(parking.projection.name);
    return status.lastError?.startsWith('rebuild failing:') ? status : undefined;
  });
  expect(failing.state).toBe('rebuilding');
  expect(failing.lastError).toContain(`cannot apply ${events[1]!.eventId}`);

  await expect(handle.result()).resolves.toMatchObject({ phase: 'done', eventsDone: 3 });
  expect(await rowsOf(parking.table)).toEqual([events[0]!.position, events[2]!.position]);
  expect((await listDeadLetters(runnerDb, parking.projection.name)).map((letter) => letter.eventId)).toEqual([
    events[1]!.eventId,
  ]);
  expect(await statusOf(parking.projection.name)).toMatchObject({
    state: 'live',
    lastError: null,
    rebuild: null,
    deadLetters: 1,
  });
}, 120_000);

it('halts at the poison event: the workflow fails naming it, the projection is live again with the error, its tables untouched', async () => {
  await sql`INSERT INTO ${sql.id(halting.table)} (position) VALUES (1)`.execute(readDb);
  const events = await append([halting.types.good, halting.types.poison]);
  const handle = await startProjectionRebuild(client, halting.projection.name);

  const failure = await handle.result().then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  const cause = (failure as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect(cause).toMatchObject({ type: 'REBUILD_HALTED' });
  expect(cause?.message).toContain(`event ${events[1]!.eventId} at ${events[1]!.position}`);

  const status = await statusOf(halting.projection.name);
  expect(status.state).toBe('live');
  expect(status.lastError).toMatch(new RegExp(`^rebuild halted: event ${events[1]!.eventId}`));
  expect(status.rebuild).toMatchObject({ halted: true });
  expect(await rowsOf(halting.table)).toEqual([1n]);
}, 120_000);
