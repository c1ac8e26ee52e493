/**
 * The `event_counts` read model per organization: events stored in the event store and applied
 * through the real runner, then summed per bucket for one organization, several, none, or all.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import { appendToStream, eventStoreMigrations, type EventStoreDb, type EventStoreTables } from '@gyroscops/event-store';
import { applyNextBatch, ensureCheckpoint, projectionMigrations, type ProjectionTables } from '@gyroscops/projections';
import { createDatabase, runMigrations, withTablesOf } from '@gyroscops/platform';
import { readModelMigrations } from '../migrations';
import { EVENT_COUNTS_PROJECTION, eventCountsProjection } from './event-counts.projection';
import { readEventBuckets } from './event-counts.queries';
import type { EventCountsTables } from './event-counts.table';

let env: TestEnvironment;
let eventStore: EventStoreDb;
let readDb: Kysely<EventCountsTables>;
let runnerDb: Kysely<ProjectionTables>;

beforeAll(async () => {
  env = await createTestEnvironment();
  eventStore = createDatabase<EventStoreTables>({ url: env.eventStoreDatabaseUrl });
  readDb = createDatabase<EventCountsTables>({ url: env.readDatabaseUrl });
  runnerDb = withTablesOf<ProjectionTables>(readDb);
  await runMigrations(eventStore, eventStoreMigrations);
  await runMigrations(readDb, projectionMigrations);
  await runMigrations(readDb, readModelMigrations);
  await ensureCheckpoint(runnerDb, EVENT_COUNTS_PROJECTION, eventCountsProjection.version);
});

afterAll(async () => {
  await Promise.all([eventStore?.destroy(), readDb?.destroy()]);
  await env?.dispose();
});

/** A payment stream of `types` for the organization; returns its last position. */
async function paymentOf(organizationId: string, types: string[]): Promise<bigint> {
  const paymentId = randomUUID();
  const result = await appendToStream(eventStore, {
    streamId: `payment-${paymentId}`,
    streamType: 'payment',
    expectedVersion: 'no_stream',
    events: types.map((type) => ({ eventId: randomUUID(), type, data: { paymentId }, metadata: { organizationId } })),
  });
  return result.lastPosition;
}

async function project(position: bigint): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await applyNextBatch(runnerDb, eventStore, eventCountsProjection, 50)).position < position) {
    if (Date.now() > deadline) throw new Error(`the projection never reached ${position}`);
  }
}

const total = (buckets: { count: number }[]) => buckets.reduce((sum, bucket) => sum + bucket.count, 0);

it('counts events per organization and sums only the organizations asked for; all of them when none is named', async () => {
  const orgA = `org-a-${randomUUID()}`;
  const orgB = `org-b-${randomUUID()}`;
  await paymentOf(orgA, ['PaymentInitiated', 'PaymentProcessed']);
  await paymentOf(orgA, ['PaymentInitiated']);
  const last = await paymentOf(orgB, ['PaymentInitiated', 'PaymentFailed', 'PaymentDeleted']);
  await project(last);

  const range = {
    from: new Date(Date.now() - 86_400_000),
    to: new Date(Date.now() + 86_400_000),
    interval: 'day' as const,
  };
  expect(total(await readEventBuckets(readDb, { ...range, organizationIds: [orgA] }))).toBe(3);
  expect(total(await readEventBuckets(readDb, { ...range, organizationIds: [orgB] }))).toBe(3);
  expect(total(await readEventBuckets(readDb, { ...range, organizationIds: [orgA, orgB] }))).toBe(6);
  expect(await readEventBuckets(readDb, { ...range, organizationIds: [] })).toEqual([]);
  expect(total(await readEventBuckets(readDb, range))).toBe(6);
  expect(
    total(await readEventBuckets(readDb, { ...range, organizationIds: [orgA], types: ['PaymentInitiated'] })),
  ).toBe(2);
});
