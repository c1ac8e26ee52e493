/**
 * `GET /analytics/events` is scoped like every other query: a user sees the counts of their
 * organizations only, an admin sees every organization's. Real read database and Redis (the
 * answers go through the cache: each scope has entries of its own).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { PROJECTIONS } from '@gyroscops/contracts';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import type { EventStoreDb } from '@gyroscops/event-store';
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
  ensureCheckpoint,
  projectionMigrations,
  ProjectionPositionTracker,
  type ProjectionTables,
} from '@gyroscops/projections';
import { readModelMigrations, type EventCountsTables, type PaymentReadTables } from '@gyroscops/read-models';
import { buildQueryApi } from '../app';
import { DEFAULT_CACHE_SETTINGS } from '../query-bus/cache-settings';

let env: TestEnvironment;
let readDb: Kysely<EventCountsTables & ProjectionTables>;
let eventStore: EventStoreDb;
let app: HttpApp;
const closers: (() => Promise<unknown> | void)[] = [];

const orgA = `org-a-${randomUUID()}`;
const orgB = `org-b-${randomUUID()}`;
const hour = '2026-03-02T10:00:00.000Z';

beforeAll(async () => {
  env = await createTestEnvironment();
  readDb = createDatabase({ url: env.readDatabaseUrl });
  eventStore = createDatabase({ url: env.eventStoreDatabaseUrl });
  await runMigrations(readDb, projectionMigrations);
  await runMigrations(readDb, readModelMigrations);
  await ensureCheckpoint(withTablesOf<ProjectionTables>(readDb), PROJECTIONS.eventCounts, 2);
  // Rows as the event_counts projection writes them.
  await readDb
    .insertInto('event_counts')
    .values([
      { organization_id: orgA, type: 'PaymentInitiated', hour, count: '3' },
      { organization_id: orgA, type: 'PaymentProcessed', hour, count: '2' },
      { organization_id: orgB, type: 'PaymentInitiated', hour, count: '7' },
    ])
    .execute();

  const config = { url: env.redisUrl, keyPrefix: env.redisPrefix };
  const redis = createRedis(config, { name: 'analytics-test-cache', commandTimeoutMs: 5_000 });
  const subscriber = createRedis(config, { name: 'analytics-test-subscriber', offlineQueue: true });
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
  });
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await Promise.all([readDb?.destroy(), eventStore?.destroy()]);
  await env?.dispose();
});

const analytics = async (claims: { sub: string; orgs: string[]; roles?: string[] }, type?: string) => {
  const response = await app.inject({
    method: 'GET',
    url: '/analytics/events',
    query: {
      from: '2026-03-01T00:00:00Z',
      to: '2026-03-03T00:00:00Z',
      interval: 'day',
      ...(type ? { type } : {}),
    },
    headers: { authorization: `Bearer ${mintToken(DEV_JWT_SECRET, claims)}` },
  });
  return { status: response.statusCode, body: response.json<{ buckets: { start: string; count: number }[] }>() };
};

const day = '2026-03-02T00:00:00.000Z';

it("answers a user the counts of their organizations only, and an admin every organization's", async () => {
  // Each caller twice: the second answer comes from the cache, which must not cross scopes.
  for (let round = 0; round < 2; round += 1) {
    expect(await analytics({ sub: 'user-a', orgs: [orgA] })).toEqual({
      status: 200,
      body: { interval: 'day', buckets: [{ start: day, count: 5 }] },
    });
    expect(await analytics({ sub: 'user-b', orgs: [orgB] })).toEqual({
      status: 200,
      body: { interval: 'day', buckets: [{ start: day, count: 7 }] },
    });
    expect(await analytics({ sub: 'user-ab', orgs: [orgB, orgA] })).toMatchObject({
      body: { buckets: [{ start: day, count: 12 }] },
    });
    expect(await analytics({ sub: 'user-c', orgs: [`org-c-${randomUUID()}`] })).toEqual({
      status: 200,
      body: { interval: 'day', buckets: [] },
    });
    expect(await analytics({ sub: 'admin', orgs: [], roles: ['admin'] })).toEqual({
      status: 200,
      body: { interval: 'day', buckets: [{ start: day, count: 12 }] },
    });
  }
  expect(await analytics({ sub: 'user-a', orgs: [orgA] }, 'PaymentProcessed')).toMatchObject({
    body: { buckets: [{ start: day, count: 2 }] },
  });
});
