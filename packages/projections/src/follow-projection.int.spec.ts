/**
 * The follower on real Postgres: woken by append notifications (LISTEN/NOTIFY) rather than its
 * timer, it applies every event exactly once and in order, also with a second follower of the same
 * projection running at once; an event hidden by an older open transaction is picked up when that
 * transaction ends, without a new notification; cancellation stops it.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Generated, type Kysely } from 'kysely';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import {
  appendToStream,
  eventStoreMigrations,
  headPosition,
  notifyAppended,
  safeHeadPosition,
  type EventStoreDb,
  type EventStoreTables,
} from '@gyroscops/event-store';
import { createDatabase, runMigrations, withTablesOf } from '@gyroscops/platform';
import { PostgresAppendListener } from './append-wakeups';
import { applyNextBatch } from './apply-next-batch';
import { followProjection, type FollowOutcome } from './follow-projection';
import { projectionMigrations } from './migrations';
import { ensureCheckpoint, readCheckpoints } from './projection-checkpoints';
import type { Projection } from './projection';
import type { ProjectionTables } from './tables';

interface TestTables {
  test_followed_events: { seq: Generated<string>; projection: string; position: string };
}

let env: TestEnvironment;
let eventStore: EventStoreDb;
let readDb: Kysely<ProjectionTables & TestTables>;
let runnerDb: Kysely<ProjectionTables>;
let listener: PostgresAppendListener;

beforeAll(async () => {
  env = await createTestEnvironment();
  eventStore = createDatabase<EventStoreTables>({ url: env.eventStoreDatabaseUrl, maxConnections: 12 });
  readDb = createDatabase<ProjectionTables & TestTables>({ url: env.readDatabaseUrl, maxConnections: 8 });
  runnerDb = withTablesOf<ProjectionTables>(readDb);
  await runMigrations(eventStore, eventStoreMigrations);
  await runMigrations(readDb, projectionMigrations);
  await readDb.schema
    .createTable('test_followed_events')
    .addColumn('seq', 'bigserial', (column) => column.primaryKey())
    .addColumn('projection', 'text', (column) => column.notNull())
    .addColumn('position', 'bigint', (column) => column.notNull())
    .execute();
  listener = new PostgresAppendListener({ url: env.eventStoreDatabaseUrl });
  await listener.start();
});

afterAll(async () => {
  await listener?.close();
  await Promise.all([eventStore?.destroy(), readDb?.destroy()]);
  await env?.dispose();
});

/** A projection logging every event it applies, starting at the current head. */
async function newProjection(): Promise<Projection<TestTables>> {
  const name = `follow-${randomUUID()}`;
  await ensureCheckpoint(runnerDb, name, 1);
  await sql`UPDATE projection_checkpoints SET position = ${(await safeHeadPosition(eventStore)).toString()} WHERE projection = ${name}`.execute(
    readDb,
  );
  return {
    name,
    version: 1,
    eventTypes: ['Followed'],
    tables: ['test_followed_events'],
    poisonPolicy: 'park',
    async apply(events, trx) {
      await trx
        .insertInto('test_followed_events')
        .values(events.map((event) => ({ projection: name, position: event.position.toString() })))
        .execute();
      return { paymentIds: [], organizationIds: [] };
    },
  };
}

/** Batches the followers of this file ran, numbered in the order they began: a test waits for one begun after a point. */
let batchesBegun = 0;
const finishedBatches: { projection: string; begun: number }[] = [];

/** Starts a follower that only a notification (or a local nudge) can wake: its fallback poll is a minute. */
function follow(projection: Projection, controller: AbortController): Promise<FollowOutcome> {
  return followProjection({
    applyBatch: async ({ isolate, expectedPosition }) => {
      const begun = ++batchesBegun;
      const result = await applyNextBatch(runnerDb, eventStore, projection, 7, { isolate, expectedPosition });
      finishedBatches.push({ projection: projection.name, begun });
      if (result.eventsRead > 0) listener.nudge();
      return result;
    },
    wakeups: listener,
    pollMs: 60_000,
    maxRunMs: 10 * 60_000,
    heartbeat: () => undefined,
    heartbeatMs: 60_000,
    signal: controller.signal,
  });
}

async function appendAndNotify(count: number): Promise<void> {
  const appended = await appendToStream(eventStore, {
    streamId: `followed-${randomUUID()}`,
    streamType: 'test',
    expectedVersion: 'no_stream',
    events: Array.from({ length: count }, () => ({ eventId: randomUUID(), type: 'Followed', data: {}, metadata: {} })),
  });
  await notifyAppended(eventStore, appended.firstPosition);
}

async function appliedPositions(projection: string): Promise<string[]> {
  const rows = await readDb
    .selectFrom('test_followed_events')
    .select('position')
    .where('projection', '=', projection)
    .orderBy('seq')
    .execute();
  return rows.map((row) => row.position);
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const checkpointOf = async (projection: string) => (await readCheckpoints(runnerDb, [projection]))[0]!.position;

it('applies every announced append exactly once and in order, with two followers of one projection at once', async () => {
  const projection = await newProjection();
  const controllers = [new AbortController(), new AbortController()];
  const followers = controllers.map((controller) => follow(projection, controller));

  // 8 concurrent writers, 5 appends each of 1 to 3 events: commits interleave out of xid order.
  await Promise.all(
    Array.from({ length: 8 }, async (_, writer) => {
      for (let index = 0; index < 5; index += 1) await appendAndNotify(1 + ((writer + index) % 3));
    }),
  );
  const head = await headPosition(eventStore);
  await eventually(async () => (await checkpointOf(projection.name)) >= head);

  const applied = await appliedPositions(projection.name);
  const stored = await eventStore
    .selectFrom('events')
    .select('position')
    .where('type', '=', 'Followed')
    .where('position', '>', applied.length ? String(BigInt(applied[0]!) - 1n) : '0')
    .orderBy('position')
    .execute();
  expect(applied).toEqual(stored.map((row) => row.position));
  expect(new Set(applied).size).toBe(applied.length);

  for (const controller of controllers) controller.abort(new Error('stop'));
  await Promise.all(followers.map((follower) => expect(follower).rejects.toThrow('stop')));
});

it('picks up an event an older open transaction hid from it, once that transaction ends, with no new notification', async () => {
  const projection = await newProjection();
  const controller = new AbortController();
  const follower = follow(projection, controller);

  // A transaction holding an xid older than the append's: the gap-safe read cannot see past it.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const holding = new Promise<void>((resolve) => (started = resolve));
  const blocker = eventStore.transaction().execute(async (trx) => {
    await sql`SELECT pg_current_xact_id()`.execute(trx);
    started();
    await released;
  });
  await holding;
  await appendAndNotify(2);
  // The follower owes the announced events and keeps looking (every 100 ms at most): wait for a look
  // that began after the append committed. It must have read nothing past the open transaction.
  const committed = batchesBegun;
  await eventually(
    async () => finishedBatches.some((batch) => batch.projection === projection.name && batch.begun > committed),
    10_000,
  );
  expect(await appliedPositions(projection.name)).toEqual([]);

  release();
  await blocker;
  await eventually(async () => (await appliedPositions(projection.name)).length === 2, 10_000);

  controller.abort(new Error('stop'));
  await expect(follower).rejects.toThrow('stop');
});
