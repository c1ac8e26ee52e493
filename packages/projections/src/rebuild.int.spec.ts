/**
 * A rebuild whose batches keep failing on real Postgres databases: the failure shows in the
 * projection's status instead of a silent retry, and isolation applies the live batches' poison
 * policy (park the event and go on, or halt the rebuild) instead of failing forever.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import {
  appendToStream,
  eventStoreMigrations,
  safeHeadPosition,
  type EventStoreDb,
  type EventStoreTables,
} from '@gyroscops/event-store';
import { createDatabase, runMigrations, withTablesOf } from '@gyroscops/platform';
import { listDeadLetters } from './dead-letters';
import { projectionMigrations } from './migrations';
import type { PoisonPolicy, Projection } from './projection';
import { ensureCheckpoint, readCheckpoints } from './projection-checkpoints';
import { readProjectionStatuses } from './projection-status';
import { applyRebuildBatch, prepareRebuild, readRebuild, recordRebuildFailure, swapRebuild } from './rebuild';
import type { ProjectionTables } from './tables';

let env: TestEnvironment;
let eventStore: EventStoreDb;
let readDb: Kysely<any>;
let runnerDb: Kysely<ProjectionTables>;

beforeAll(async () => {
  env = await createTestEnvironment();
  eventStore = createDatabase<EventStoreTables>({ url: env.eventStoreDatabaseUrl });
  readDb = createDatabase({ url: env.readDatabaseUrl });
  runnerDb = withTablesOf<ProjectionTables>(readDb);
  await runMigrations(eventStore, eventStoreMigrations);
  await runMigrations(readDb, projectionMigrations);
});

afterAll(async () => {
  await Promise.all([eventStore?.destroy(), readDb?.destroy()]);
  await env?.dispose();
});

/**
 * A projection with a table of its own (a rebuild replaces whole tables) and event types of its own
 * (a rebuild replays the whole store): one row per event it applies; an event of its poison type
 * makes `apply` throw, as a bug or an event it cannot handle would.
 */
async function poisonedProjection(poisonPolicy: PoisonPolicy) {
  const suffix = randomUUID().slice(0, 8);
  const name = `rebuild_test_${suffix}`;
  const table = `rebuild_rows_${suffix}`;
  const types = { good: `Good-${suffix}`, poison: `Poison-${suffix}` };
  await sql`CREATE TABLE ${sql.id(table)} (position bigint PRIMARY KEY, type text NOT NULL)`.execute(readDb);
  await ensureCheckpoint(runnerDb, name, 1);
  const projection: Projection = {
    name,
    version: 2,
    eventTypes: [types.good, types.poison],
    tables: [table],
    poisonPolicy,
    async apply(events, trx) {
      // Unqualified: during a rebuild the shadow schema comes first on the search path.
      await sql`INSERT INTO ${sql.id(table)} (position, type) SELECT * FROM unnest(${events.map((event) => event.position.toString())}::bigint[], ${events.map((event) => event.type)}::text[])`.execute(
        trx,
      );
      const poison = events.find((event) => event.type === types.poison);
      if (poison) throw new Error(`cannot apply ${poison.eventId}`);
      return { paymentIds: [], organizationIds: [] };
    },
  };
  const rows = async () =>
    (
      await sql<{ position: string }>`SELECT position::text FROM ${sql.id(table)} ORDER BY position`.execute(readDb)
    ).rows.map((row) => BigInt(row.position));
  return { projection, types, table, rows };
}

/** Appends events of these types in one stream; returns them once a gap-safe reader sees them. */
async function append(types: string[]) {
  const events = types.map((type) => ({ eventId: randomUUID(), type, data: {}, metadata: {} }));
  const result = await appendToStream(eventStore, {
    streamId: `test-${randomUUID()}`,
    streamType: 'test',
    expectedVersion: 'no_stream',
    events,
  });
  const deadline = Date.now() + 10_000;
  while ((await safeHeadPosition(eventStore)) < result.lastPosition) {
    if (Date.now() > deadline) throw new Error('the appended events never became visible');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return events.map((event, index) => ({ ...event, position: result.firstPosition + BigInt(index) }));
}

const statusOf = async (name: string) =>
  (await readProjectionStatuses(runnerDb, eventStore)).find((status) => status.name === name)!;

describe('a rebuild that cannot progress', () => {
  it('shows why in the projection status while its batch is retried, instead of rebuilding with no error', async () => {
    const { projection, types } = await poisonedProjection('halt');
    const [, poison] = await append([types.good, types.poison, types.good]);
    await prepareRebuild(runnerDb, eventStore, projection);

    const failure = await applyRebuildBatch(runnerDb, eventStore, projection, 100).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    await recordRebuildFailure(runnerDb, projection.name, failure);

    const status = await statusOf(projection.name);
    expect(status.state).toBe('rebuilding');
    expect(status.lastError).toBe(
      `rebuild failing: projection ${projection.name} failed to apply a batch: cannot apply ${poison!.eventId}`,
    );
    expect(status.rebuild).toMatchObject({ eventsDone: 0, halted: false });
  });

  it("with the park policy, parks the poison event, applies the rest, and the swap hands the projection the rebuild's dead letters", async () => {
    const { projection, types, rows } = await poisonedProjection('park');
    const events = await append([types.good, types.poison, types.good]);
    // Parked by the old tables: the rebuild applies everything anew, so this one must go.
    await runnerDb
      .insertInto('projection_dead_letters')
      .values({
        projection: projection.name,
        position: '1',
        event_id: randomUUID(),
        event_type: types.good,
        error: 'old',
      })
      .execute();
    await prepareRebuild(runnerDb, eventStore, projection);
    await expect(applyRebuildBatch(runnerDb, eventStore, projection, 100)).rejects.toThrow(/cannot apply/);

    const isolated = await applyRebuildBatch(runnerDb, eventStore, projection, 100, { isolate: true });
    expect(isolated).toMatchObject({ halted: false, lastError: null });
    const swapped = await swapRebuild(runnerDb, eventStore, projection, 100, { isolate: true });

    expect(swapped.halted).toBe(false);
    const mine = events.map((event) => event.position);
    expect((await rows()).filter((position) => mine.includes(position))).toEqual([
      events[0]!.position,
      events[2]!.position,
    ]);
    expect(
      (await listDeadLetters(runnerDb, projection.name)).map((letter) => [letter.eventId, letter.position]),
    ).toEqual([[events[1]!.eventId, events[1]!.position]]);
    const status = await statusOf(projection.name);
    expect(status).toMatchObject({ state: 'live', lastError: null, rebuild: null, deadLetters: 1, version: 2 });
  });

  it('with the halt policy, stops at the poison event and says so; the live tables and projection go on untouched', async () => {
    const { projection, types, table, rows } = await poisonedProjection('halt');
    await sql`INSERT INTO ${sql.id(table)} (position, type) VALUES (1, 'live row')`.execute(readDb);
    const events = await append([types.good, types.poison, types.good]);
    await prepareRebuild(runnerDb, eventStore, projection);

    const halted = await applyRebuildBatch(runnerDb, eventStore, projection, 100, { isolate: true });

    const expectedError = `event ${events[1]!.eventId} at ${events[1]!.position}: projection ${projection.name} failed to apply a batch: cannot apply ${events[1]!.eventId}`;
    expect(halted).toMatchObject({
      halted: true,
      caughtUp: false,
      lastError: expectedError,
      position: events[0]!.position,
    });
    const status = await statusOf(projection.name);
    expect(status).toMatchObject({
      state: 'live',
      lastError: `rebuild halted: ${expectedError}`,
      rebuild: { halted: true, lastError: expectedError },
    });

    // Nothing more happens until a new rebuild: no swap, the live rows stay.
    expect(await swapRebuild(runnerDb, eventStore, projection, 100, { isolate: true })).toMatchObject({ halted: true });
    expect(await rows()).toEqual([1n]);
    expect((await readCheckpoints(runnerDb, [projection.name]))[0]).toMatchObject({ state: 'live', version: 1 });

    // A new rebuild starts over, without the old error.
    await prepareRebuild(runnerDb, eventStore, projection);
    expect(await readRebuild(runnerDb, projection.name)).toMatchObject({
      halted: false,
      lastError: null,
      eventsDone: 0,
    });
  });
});
