/**
 * `GET /organizations/{organizationId}/usage` over HTTP, on real Postgres and Redis: usage decided by
 * the domain and appended to the event store, applied by the real projection, invalidated and
 * announced as the projection worker does. Tenancy (404), bad input (400 problem+json, nothing
 * changed), UTC buckets, exact decimals, read-your-writes and cache invalidation.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type Redis from 'ioredis';
import { invalidateTags, tagsOfChanges } from '@gyroscops/cache';
import { ORGANIZATION_BILLING_STREAM_TYPE, organizationBillingStreamId, PROJECTIONS } from '@gyroscops/contracts';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import {
  decideOrganizationBilling,
  foldOrganizationBilling,
  isDomainError,
  type OrganizationBillingCommand,
  type OrganizationBillingEvent,
} from '@gyroscops/domain';
import { appendToStream, eventStoreMigrations, type EventStoreDb } from '@gyroscops/event-store';
import {
  createDatabase,
  createMetricsRegistry,
  createRedis,
  DEV_JWT_SECRET,
  mintToken,
  runMigrations,
  withTablesOf,
  type HttpApp,
} from '@gyroscops/platform';
import {
  announceBatch,
  applyNextBatch,
  ensureCheckpoint,
  projectionMigrations,
  ProjectionPositionTracker,
  type ProjectionTables,
} from '@gyroscops/projections';
import {
  readModelMigrations,
  usageSeriesProjection,
  type PaymentReadTables,
  type UsageSeriesTables,
} from '@gyroscops/read-models';
import { buildQueryApi } from '../app';
import { DEFAULT_CACHE_SETTINGS } from '../query-bus/cache-settings';

let env: TestEnvironment;
let readDb: Kysely<UsageSeriesTables & ProjectionTables>;
let eventStore: EventStoreDb;
let publisher: Redis;
let app: HttpApp;
const closers: (() => Promise<unknown> | void)[] = [];

beforeAll(async () => {
  env = await createTestEnvironment();
  readDb = createDatabase({ url: env.readDatabaseUrl });
  eventStore = createDatabase({ url: env.eventStoreDatabaseUrl });
  await runMigrations(eventStore, eventStoreMigrations);
  await runMigrations(readDb, projectionMigrations);
  await runMigrations(readDb, readModelMigrations);
  await ensureCheckpoint(
    withTablesOf<ProjectionTables>(readDb),
    PROJECTIONS.usageSeries,
    usageSeriesProjection.version,
  );

  const config = { url: env.redisUrl, keyPrefix: env.redisPrefix };
  const redis = createRedis(config, { name: 'usage-test-cache', commandTimeoutMs: 500 });
  const subscriber = createRedis(config, { name: 'usage-test-subscriber', offlineQueue: true });
  publisher = createRedis(config, { name: 'usage-test-publisher' });
  const tracker = new ProjectionPositionTracker(withTablesOf<ProjectionTables>(readDb), subscriber, env.redisPrefix);
  await tracker.start();
  app = await buildQueryApi({
    auth: { kind: 'secret', secret: DEV_JWT_SECRET },
    readDb: withTablesOf<PaymentReadTables>(readDb),
    eventStore,
    redis,
    subscriber,
    tracker,
    log: { level: 'silent', pretty: false },
    metrics: createMetricsRegistry('query-api'),
    consistency: { defaultWaitMs: 2_000, maxWaitMs: 10_000 },
    cache: { keyPrefix: env.redisPrefix, ...DEFAULT_CACHE_SETTINGS },
  });
  closers.push(async () => {
    await app.close();
    tracker.stop();
    redis.disconnect();
    subscriber.disconnect();
    publisher.disconnect();
  });
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await Promise.all([readDb?.destroy(), eventStore?.destroy()]);
  await env?.dispose();
});

/** Decides a billing command on the stream's fold and appends its events; answers the last position. */
async function billing(organizationId: string, command: OrganizationBillingCommand, now: string): Promise<bigint> {
  const streamId = organizationBillingStreamId(organizationId);
  const stored = await eventStore
    .selectFrom('events')
    .select(['type', 'data'])
    .where('stream_id', '=', streamId)
    .orderBy('stream_version')
    .execute();
  const state = foldOrganizationBilling(stored as unknown as OrganizationBillingEvent[]);
  const decision = decideOrganizationBilling(state, command, { now, deriveId: () => randomUUID() });
  if (isDomainError(decision)) throw decision;
  const result = await appendToStream(eventStore, {
    streamId,
    streamType: ORGANIZATION_BILLING_STREAM_TYPE,
    expectedVersion: state.version === 0 ? 'no_stream' : state.version,
    events: decision.map((event) => ({
      eventId: randomUUID(),
      type: event.type,
      data: event.data,
      metadata: { organizationId },
    })),
  });
  return result.lastPosition;
}

const setPlan = (organizationId: string, now: string) =>
  billing(
    organizationId,
    {
      type: 'SetBillingPlan',
      data: {
        organizationId,
        plan: {
          currency: 'EUR',
          cycle: 'P1M',
          meters: {
            cpu_seconds: { unitPrice: '0.000012', aggregation: 'sum' },
            seats: { unitPrice: '5', aggregation: 'max' },
          },
        },
      },
    },
    now,
  );
const recordUsage = (
  organizationId: string,
  records: { meter: string; quantity: string; occurredAt: string }[],
  now: string,
) =>
  billing(
    organizationId,
    {
      type: 'RecordUsage',
      data: {
        organizationId,
        records: records.map((record) => ({ recordId: randomUUID(), organizationId, ...record })),
      },
    },
    now,
  );

/** What the projection worker does: apply batches, then per batch invalidate its cache tags and announce it. */
async function project(position: bigint): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const batch = await applyNextBatch(withTablesOf<ProjectionTables>(readDb), eventStore, usageSeriesProjection, 100);
    await invalidateTags(publisher, env.redisPrefix, tagsOfChanges(PROJECTIONS.usageSeries, batch.changes));
    await announceBatch(publisher, env.redisPrefix, {
      projection: PROJECTIONS.usageSeries,
      position: batch.position.toString(),
      changes: batch.changes,
    });
    if (batch.position >= position) return;
    if (Date.now() > deadline) throw new Error(`the projection never reached ${position}`);
  }
}

const tokenOf = (orgs: string[], roles: string[] = []) => mintToken(DEV_JWT_SECRET, { sub: 'user-1', orgs, roles });
const getUsage = (
  organizationId: string,
  query: Record<string, string>,
  orgs = [organizationId],
  headers: Record<string, string> = {},
) =>
  app.inject({
    method: 'GET',
    url: `/organizations/${organizationId}/usage`,
    query,
    headers: { authorization: `Bearer ${tokenOf(orgs)}`, ...headers },
  });

const organizationId = randomUUID();
const day = { from: '2026-02-01T00:00:00Z', to: '2026-02-03T00:00:00Z' };

beforeAll(async () => {
  await setPlan(organizationId, '2026-01-31T12:00:00.000Z');
  const position = await recordUsage(
    organizationId,
    [
      { meter: 'cpu_seconds', quantity: '0.1', occurredAt: '2026-02-01T23:59:59.999Z' },
      { meter: 'cpu_seconds', quantity: '0.2', occurredAt: '2026-02-01T23:00:00.000Z' },
      { meter: 'cpu_seconds', quantity: '0.000000000001', occurredAt: '2026-02-02T00:00:00.000Z' },
      { meter: 'seats', quantity: '2', occurredAt: '2026-02-01T08:00:00.000Z' },
      { meter: 'seats', quantity: '3', occurredAt: '2026-02-02T08:00:00.000Z' },
    ],
    '2026-02-02T09:00:00.000Z',
  );
  await project(position);
});

describe('GET /organizations/{organizationId}/usage', () => {
  it('answers each meter per UTC day with exact decimals, the day boundary at midnight UTC', async () => {
    const response = await getUsage(organizationId, { ...day, interval: 'day' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-projection-position']).toBeDefined();
    expect(response.json()).toEqual({
      organizationId,
      interval: 'day',
      from: '2026-02-01T00:00:00.000Z',
      to: '2026-02-03T00:00:00.000Z',
      series: [
        {
          meter: 'cpu_seconds',
          aggregation: 'sum',
          buckets: [
            // 0.1 + 0.2 is 0.3, exactly.
            { start: '2026-02-01T00:00:00.000Z', quantity: '0.3' },
            { start: '2026-02-02T00:00:00.000Z', quantity: '0.000000000001' },
          ],
        },
        {
          meter: 'seats',
          aggregation: 'max',
          buckets: [
            { start: '2026-02-01T00:00:00.000Z', quantity: '2' },
            { start: '2026-02-02T00:00:00.000Z', quantity: '3' },
          ],
        },
      ],
    });
  });

  it('filters by meter and answers hours', async () => {
    const response = await getUsage(organizationId, { ...day, interval: 'hour', meter: 'cpu_seconds' });
    expect(response.json().series).toEqual([
      {
        meter: 'cpu_seconds',
        aggregation: 'sum',
        buckets: [
          { start: '2026-02-01T23:00:00.000Z', quantity: '0.3' },
          { start: '2026-02-02T00:00:00.000Z', quantity: '0.000000000001' },
        ],
      },
    ]);
  });

  it("answers 404 for another organization's usage, exactly as for an unknown one, and nothing for an organization without usage", async () => {
    const other = await getUsage(organizationId, day, [randomUUID()]);
    expect(other.statusCode).toBe(404);
    expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(other.json()).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    const quiet = randomUUID();
    expect((await getUsage(quiet, day)).json()).toMatchObject({ series: [] });
  });

  it.each([
    ['from after to', { from: '2026-02-03T00:00:00Z', to: '2026-02-01T00:00:00Z' }],
    ['from equal to to', { from: '2026-02-01T00:00:00Z', to: '2026-02-01T00:00:00Z' }],
    ['an unknown interval', { ...day, interval: 'week' }],
    ['a meter that is not a meter name', { ...day, meter: '9 lives' }],
    ['more than 1,000 buckets', { from: '2026-01-01T00:00:00Z', to: '2026-02-12T00:00:00Z', interval: 'hour' }],
    ['more than 400 days', { from: '2025-01-01T00:00:00Z', to: '2026-02-12T00:00:00Z', interval: 'month' }],
    ['no from', { to: '2026-02-01T00:00:00Z' }],
    ['a date without a time zone', { from: '2026-02-01T00:00:00', to: '2026-02-02T00:00:00Z' }],
    ['an unknown parameter', { ...day, currency: 'EUR' }],
  ])('answers 400 problem+json for %s, and the usage is unchanged', async (_, query) => {
    const before = (await getUsage(organizationId, { ...day, interval: 'day' })).json();
    const response = await getUsage(organizationId, query as Record<string, string>);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 400, code: 'VALIDATION' });
    expect((await getUsage(organizationId, { ...day, interval: 'day' })).json()).toEqual(before);
  });

  it('reads its writes: new usage shows with X-Min-Position, and the cached answer is dropped', async () => {
    const query = { ...day, interval: 'month', meter: 'seats' };
    expect((await getUsage(organizationId, query)).json().series[0].buckets).toEqual([
      { start: '2026-02-01T00:00:00.000Z', quantity: '3' },
    ]);
    const position = await recordUsage(
      organizationId,
      [{ meter: 'seats', quantity: '12', occurredAt: '2026-02-02T10:00:00.000Z' }],
      '2026-02-02T11:00:00.000Z',
    );
    const projected = project(position);
    const fresh = await getUsage(organizationId, query, [organizationId], { 'x-min-position': position.toString() });
    await projected;
    expect(fresh.statusCode).toBe(200);
    expect(BigInt(fresh.headers['x-projection-position'] as string)).toBeGreaterThanOrEqual(position);
    expect(fresh.json().series[0].buckets).toEqual([{ start: '2026-02-01T00:00:00.000Z', quantity: '12' }]);
    // Without the header too: the batch's organization tag dropped the cached answer.
    expect((await getUsage(organizationId, query)).json().series[0].buckets).toEqual([
      { start: '2026-02-01T00:00:00.000Z', quantity: '12' },
    ]);
  });
});
