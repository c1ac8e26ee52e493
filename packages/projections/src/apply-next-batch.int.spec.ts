/**
 * Proves the projection runner on real Postgres databases (event store and read side apart): a batch
 * is applied in position order with its checkpoint in one transaction, so a failing `apply` leaves
 * neither rows nor checkpoint behind, concurrent appliers of one projection never apply an event
 * twice, and events the projection ignores still move its checkpoint.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Generated, type Kysely } from 'kysely';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import {
  appendToStream,
  eventStoreMigrations,
  safeHeadPosition,
  type EventStoreDb,
  type EventStoreTables,
} from '@gyroscops/event-store';
import { createDatabase, runMigrations, withTablesOf } from '@gyroscops/platform';
import { applyNextBatch } from './apply-next-batch';
import { ensureCheckpoint, readCheckpoints } from './projection-checkpoints';
import { projectionMigrations } from './migrations';
import type { Projection } from './projection';
import type { ProjectionTables } from './tables';

/** The test projection's own table: one row per event applied, in the order `apply` saw them. */
interface TestTables {
  test_applied_events: {
    seq: Generated<string>;
    projection: string;
    position: string;
    stream_id: string;
    type: string;
  };
}

let env: TestEnvironment;
let eventStore: EventStoreDb;
let readDb: Kysely<ProjectionTables & TestTables>;
let runnerDb: Kysely<ProjectionTables>;

beforeAll(async () => {
  env = await createTestEnvironment();
  eventStore = createDatabase<EventStoreTables>({ url: env.eventStoreDatabaseUrl });
  // Enough connections for 10 appliers to hold a transaction each at once.
  readDb = createDatabase<ProjectionTables & TestTables>({ url: env.readDatabaseUrl, maxConnections: 14 });
  runnerDb = withTablesOf<ProjectionTables>(readDb);
  await runMigrations(eventStore, eventStoreMigrations);
  await runMigrations(readDb, projectionMigrations);
  await readDb.schema
    .createTable('test_applied_events')
    .addColumn('seq', 'bigserial', (column) => column.primaryKey())
    .addColumn('projection', 'text', (column) => column.notNull())
    .addColumn('position', 'bigint', (column) => column.notNull())
    .addColumn('stream_id', 'text', (column) => column.notNull())
    .addColumn('type', 'text', (column) => column.notNull())
    .execute();
});

afterAll(async () => {
  await Promise.all([eventStore?.destroy(), readDb?.destroy()]);
  await env?.dispose();
});

interface TestProjection extends Projection<TestTables> {
  /** How many times `apply` was called (committed or not). */
  calls: number;
}

/**
 * A projection that logs every event it applies. Its checkpoint starts at the current safe head, so
 * it sees only the events its test appends. `failNext` makes the next `apply` throw AFTER writing rows.
 */
async function newProjection(
  eventTypes: readonly string[] = ['Counted'],
): Promise<TestProjection & { failNext: boolean }> {
  const name = `test-${randomUUID()}`;
  await ensureCheckpoint(runnerDb, name, 1);
  await sql`UPDATE projection_checkpoints SET position = ${(await safeHeadPosition(eventStore)).toString()} WHERE projection = ${name}`.execute(
    readDb,
  );
  const projection = {
    name,
    version: 1,
    eventTypes,
    tables: ['test_applied_events'],
    poisonPolicy: 'park',
    calls: 0,
    failNext: false,
    async apply(events, trx) {
      projection.calls += 1;
      await trx
        .insertInto('test_applied_events')
        .values(
          events.map((event) => ({
            projection: name,
            position: event.position.toString(),
            stream_id: event.streamId,
            type: event.type,
          })),
        )
        .execute();
      if (projection.failNext) {
        projection.failNext = false;
        throw new Error('apply failed on purpose');
      }
      return { paymentIds: [...new Set(events.map((event) => event.streamId))], organizationIds: [] };
    },
  } satisfies TestProjection & { failNext: boolean };
  return projection;
}

/** Appends `count` events of `type` to a new stream; returns their positions once a gap-safe reader can see them. */
async function append(count: number, type = 'Counted', streamId = `test-${randomUUID()}`): Promise<bigint[]> {
  const events = Array.from({ length: count }, () => ({ eventId: randomUUID(), type, data: {}, metadata: {} }));
  const result = await appendToStream(eventStore, { streamId, streamType: 'test', expectedVersion: 'any', events });
  await untilVisible(result.lastPosition);
  return events.map((_event, index) => result.firstPosition + BigInt(index));
}

/** Another test file's open transaction can hold events back for a moment (see readAll): wait it out. */
async function untilVisible(position: bigint): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await safeHeadPosition(eventStore)) < position) {
    if (Date.now() > deadline) throw new Error(`position ${position} never became visible`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const checkpointOf = async (name: string) => (await readCheckpoints(runnerDb, [name]))[0]!.position;

const appliedOf = async (name: string) =>
  (
    await readDb
      .selectFrom('test_applied_events')
      .select(['position', 'stream_id'])
      .where('projection', '=', name)
      .orderBy('seq')
      .execute()
  ).map((row) => ({
    position: BigInt(row.position),
    streamId: row.stream_id,
  }));

describe('applyNextBatch', () => {
  it('applies batches in position order, checkpoints the last event of each, and reports caughtUp only on a short batch', async () => {
    const projection = await newProjection();
    const start = await checkpointOf(projection.name);
    const positions = [...(await append(4)), ...(await append(4)), ...(await append(4))];

    const batches = [];
    for (let i = 0; i < 4; i++) batches.push(await applyNextBatch(runnerDb, eventStore, projection, 5));

    expect(batches.map((batch) => [batch.eventsRead, batch.position, batch.caughtUp])).toEqual([
      [5, positions[4], false],
      [5, positions[9], false],
      [2, positions[11], true],
      [0, positions[11], true],
    ]);
    expect(batches[0]!.position > start).toBe(true);
    expect((await appliedOf(projection.name)).map((row) => row.position)).toEqual(positions);
    expect(await checkpointOf(projection.name)).toBe(positions[11]);
    expect(projection.calls).toBe(3);
  });

  it('reports a batch of exactly batchSize events as not caught up, and the empty one after it as caught up', async () => {
    const projection = await newProjection();
    const positions = await append(3);

    const full = await applyNextBatch(runnerDb, eventStore, projection, 3);
    const empty = await applyNextBatch(runnerDb, eventStore, projection, 3);

    expect(full).toMatchObject({ eventsRead: 3, position: positions[2], caughtUp: false, projection: projection.name });
    expect(empty).toMatchObject({
      eventsRead: 0,
      position: positions[2],
      caughtUp: true,
      changes: { paymentIds: [], organizationIds: [] },
    });
  });

  it('given an apply that throws, then rows and checkpoint roll back together, and the retry applies the batch once', async () => {
    const projection = await newProjection();
    const before = await checkpointOf(projection.name);
    const positions = await append(6);
    projection.failNext = true;

    await expect(applyNextBatch(runnerDb, eventStore, projection, 10)).rejects.toThrow('apply failed on purpose');

    expect(await appliedOf(projection.name)).toEqual([]);
    expect(await checkpointOf(projection.name)).toBe(before);

    const retried = await applyNextBatch(runnerDb, eventStore, projection, 10);

    expect(retried).toMatchObject({ eventsRead: 6, position: positions[5], caughtUp: true });
    expect((await appliedOf(projection.name)).map((row) => row.position)).toEqual(positions);
    expect(await checkpointOf(projection.name)).toBe(positions[5]);
    expect(projection.calls).toBe(2);
  });

  it('10 concurrent appliers over 500 events never apply an event twice nor skip one', async () => {
    const projection = await newProjection();
    const streams = Array.from({ length: 10 }, () => `test-${randomUUID()}`);
    const appended = new Map<string, number>();
    let last = 0n;
    // 5 rounds of one append of 10 events per stream: streams interleave in the global order.
    for (let round = 0; round < 5; round++) {
      for (const streamId of streams) {
        const positions = await append(10, 'Counted', streamId);
        appended.set(streamId, (appended.get(streamId) ?? 0) + positions.length);
        last = positions[positions.length - 1]!;
      }
    }

    const applier = async () => {
      while ((await applyNextBatch(runnerDb, eventStore, projection, 7)).position < last);
    };
    await Promise.all(Array.from({ length: 10 }, applier));

    const applied = await appliedOf(projection.name);
    expect(applied).toHaveLength(500);
    expect(new Set(applied.map((row) => row.position)).size).toBe(500);
    for (let i = 1; i < applied.length; i++) expect(applied[i]!.position > applied[i - 1]!.position).toBe(true);
    const counted = new Map<string, number>();
    for (const row of applied) counted.set(row.streamId, (counted.get(row.streamId) ?? 0) + 1);
    expect(counted).toEqual(appended);
    expect(await checkpointOf(projection.name)).toBe(last);
  });

  it('moves the checkpoint past events of types it does not handle, without calling apply for them', async () => {
    const projection = await newProjection(['Counted']);
    const ignored = await append(3, 'Ignored');

    const onlyIgnored = await applyNextBatch(runnerDb, eventStore, projection, 10);

    expect(onlyIgnored).toMatchObject({
      eventsRead: 3,
      position: ignored[2],
      caughtUp: true,
      changes: { paymentIds: [], organizationIds: [] },
    });
    expect(projection.calls).toBe(0);
    expect(await checkpointOf(projection.name)).toBe(ignored[2]);

    const counted = await append(2, 'Counted');
    const trailing = await append(2, 'Ignored');
    const mixed = await applyNextBatch(runnerDb, eventStore, projection, 10);

    expect(mixed).toMatchObject({ eventsRead: 4, position: trailing[1] });
    expect((await appliedOf(projection.name)).map((row) => row.position)).toEqual(counted);
    expect(projection.calls).toBe(1);
  });

  it('fails loudly for a projection that has no checkpoint row', async () => {
    const projection = await newProjection();
    await expect(
      applyNextBatch(runnerDb, eventStore, { ...projection, name: `missing-${randomUUID()}` }, 10),
    ).rejects.toThrow();
  });
});
