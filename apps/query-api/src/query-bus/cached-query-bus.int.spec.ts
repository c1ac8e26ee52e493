/**
 * GET /payments/{id} through the query bus, on a real read database and a real Redis: cache hits,
 * L1 dropped by a projection announcement, read-your-writes over the cache, /cache/stats, and a
 * query-api whose Redis is unreachable still answering from Postgres and staying ready.
 */
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { sql, type Kysely } from 'kysely';
import { invalidateTags, tagsOfChanges } from '@gyroscops/cache';
import { cacheTags, PROJECTIONS } from '@gyroscops/contracts';
import { createTestEnvironment, freePort, type TestEnvironment } from '@gyroscops/dev-infra';
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
  announceBatch,
  ensureCheckpoint,
  projectionMigrations,
  ProjectionPositionTracker,
  type ProjectionTables,
} from '@gyroscops/projections';
import { readModelMigrations, type PaymentReadTables } from '@gyroscops/read-models';
import { buildQueryApi } from '../app';
import { DEFAULT_CACHE_SETTINGS } from './cache-settings';

let env: TestEnvironment;
let readDb: Kysely<PaymentReadTables & ProjectionTables>;
let eventStore: EventStoreDb;
let publisher: Redis;
const closers: (() => Promise<unknown> | void)[] = [];
let position = 100n;

beforeAll(async () => {
  env = await createTestEnvironment();
  readDb = createDatabase({ url: env.readDatabaseUrl });
  eventStore = createDatabase({ url: env.eventStoreDatabaseUrl });
  await runMigrations(readDb, projectionMigrations);
  await runMigrations(readDb, readModelMigrations);
  await ensureCheckpoint(withTablesOf<ProjectionTables>(readDb), PROJECTIONS.payments, 1);
  await setCheckpoint(position);
  publisher = createRedis({ url: env.redisUrl, keyPrefix: env.redisPrefix }, { name: 'bus-test-publisher' });
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  // ioredis keeps a 2 s timer (disconnectTimeout) after disconnecting a client whose server never
  // answered; let it run out so the worker exits cleanly.
  await new Promise((resolve) => setTimeout(resolve, 2_100));
  publisher?.disconnect();
  await Promise.all([readDb?.destroy(), eventStore?.destroy()]);
  await env?.dispose();
});

const ready = (redis: Redis) =>
  redis.status === 'ready' ? Promise.resolve() : new Promise((resolve) => redis.once('ready', resolve));

/** A query-api as main.ts builds it, on the given Redis (the test's own, or one nobody listens on). */
async function startQueryApi(redisUrl = env.redisUrl): Promise<HttpApp> {
  const config = { url: redisUrl, keyPrefix: env.redisPrefix };
  const redis = createRedis(config, { name: 'bus-test-cache', commandTimeoutMs: 5_000 });
  const subscriber = createRedis(config, { name: 'bus-test-subscriber', offlineQueue: true, commandTimeoutMs: 5_000 });
  const tracker = new ProjectionPositionTracker(withTablesOf<ProjectionTables>(readDb), subscriber, env.redisPrefix);
  await tracker.start();
  const app = await buildQueryApi({
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
  if (redisUrl === env.redisUrl) await Promise.all([ready(redis), ready(subscriber)]);
  return app;
}

async function setCheckpoint(at: bigint): Promise<void> {
  await sql`UPDATE projection_checkpoints SET position = ${at.toString()} WHERE projection = ${PROJECTIONS.payments}`.execute(
    readDb,
  );
}

/** A payment row as the payments projection writes it. */
async function insertPayment(description: string): Promise<string> {
  const paymentId = randomUUID();
  const now = new Date().toISOString();
  await readDb
    .insertInto('payments')
    .values({
      payment_id: paymentId,
      organization_id: 'org-1',
      user_id: 'user-1',
      amount_minor: '1000',
      currency: 'EUR',
      status: 'processed',
      description,
      refunded_minor: '0',
      metadata: '{}',
      failure_reason: null,
      gateway_reference: null,
      created_at: now,
      updated_at: now,
      version: 2,
      last_position: position.toString(),
    })
    .execute();
  return paymentId;
}

/** What the projection worker does for a batch that changed a payment: rows and checkpoint, invalidation, announcement. */
async function projectUpdate(paymentId: string, description: string): Promise<bigint> {
  position += 1n;
  await readDb
    .updateTable('payments')
    .set({ description, version: sql`version + 1`, last_position: position.toString() })
    .where('payment_id', '=', paymentId)
    .execute();
  await setCheckpoint(position);
  const changes = { paymentIds: [paymentId], organizationIds: ['org-1'] };
  await invalidateTags(publisher, env.redisPrefix, tagsOfChanges(PROJECTIONS.payments, changes));
  await announceBatch(publisher, env.redisPrefix, {
    projection: PROJECTIONS.payments,
    position: position.toString(),
    changes,
  });
  return position;
}

const authorization = `Bearer ${mintToken(DEV_JWT_SECRET, { sub: 'user-1', orgs: ['org-1'] })}`;
const getPayment = (app: HttpApp, paymentId: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url: `/payments/${paymentId}`, headers: { authorization, ...headers } });
const statsOf = async (app: HttpApp) =>
  (await app.inject({ method: 'GET', url: '/cache/stats', headers: { authorization } })).json();

describe('GET /payments/{id} through the cached query bus', () => {
  it('answers the second read from L1, keeping the ETag, 304 and X-Projection-Position', async () => {
    const app = await startQueryApi();
    const paymentId = await insertPayment('first');
    const first = await getPayment(app, paymentId);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ paymentId, description: 'first', version: 2 });
    expect(first.headers.etag).toBe('"2"');
    expect(first.headers['x-projection-position']).toBe(position.toString());
    const second = await getPayment(app, paymentId, { 'if-none-match': '"2"' });
    expect(second.statusCode).toBe(304);
    expect(second.headers['x-projection-position']).toBe(position.toString());
    // The L1 hit (answered before the bus's stages, its body serialized once per entry) reads like the first answer.
    const third = await getPayment(app, paymentId);
    expect({ status: third.statusCode, body: third.body, type: third.headers['content-type'] }).toEqual({
      status: 200,
      body: first.body,
      type: first.headers['content-type'],
    });
    expect(third.headers.etag).toBe('"2"');
    expect(third.headers['x-projection-position']).toBe(position.toString());
    expect(third.headers['x-content-type-options']).toBe('nosniff');
    const stats = await statsOf(app);
    expect(stats).toMatchObject({ l1: { hits: 2, misses: 1 }, l2: { hits: 0, misses: 1 }, errors: 0 });
    expect(stats.queries['payment-view']).toMatchObject({ count: 3, bySource: { l1: { count: 2 }, db: { count: 1 } } });
  });

  it('answers 404 problem+json for an unknown payment, from the cache the second time', async () => {
    const app = await startQueryApi();
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const response = await getPayment(app, randomUUID());
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    }
  });

  it('drops the L1 entry when the projection announces a batch that changed the payment', async () => {
    const app = await startQueryApi();
    const paymentId = await insertPayment('before');
    await getPayment(app, paymentId);
    await getPayment(app, paymentId);
    const invalidationsBefore = (await statsOf(app)).invalidations;
    await projectUpdate(paymentId, 'after');
    const deadline = Date.now() + 5_000;
    while ((await statsOf(app)).invalidations === invalidationsBefore && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    // No X-Min-Position here: only the announcement can have dropped the old entry.
    const response = await getPayment(app, paymentId);
    expect(response.json()).toMatchObject({ description: 'after', version: 3 });
    expect((await statsOf(app)).invalidatedEntries).toBeGreaterThanOrEqual(1);
  });

  it('never serves a cached view older than X-Min-Position, and 503s with Retry-After when the projection lags', async () => {
    const app = await startQueryApi();
    const paymentId = await insertPayment('v0');
    await getPayment(app, paymentId);
    for (let round = 1; round <= 10; round += 1) {
      const at = await projectUpdate(paymentId, `v${round}`);
      const response = await getPayment(app, paymentId, { 'x-min-position': at.toString() });
      expect(response.json()).toMatchObject({ description: `v${round}` });
      expect(BigInt(String(response.headers['x-projection-position']))).toBeGreaterThanOrEqual(at);
    }
    const lagging = await getPayment(app, paymentId, {
      'x-min-position': (position + 1_000n).toString(),
      'x-wait-ms': '50',
    });
    expect(lagging.statusCode).toBe(503);
    expect(lagging.headers['retry-after']).toBe('1');
    expect(lagging.headers['x-projection-position']).toBe(position.toString());
  });

  it('serves GET /cache/stats under its schema, documented in OpenAPI', async () => {
    const app = await startQueryApi();
    const stats = await statsOf(app);
    expect(Object.keys(stats).sort()).toEqual(
      [
        'coalesced',
        'errors',
        'flushes',
        'hitRate',
        'invalidatedEntries',
        'invalidations',
        'l1',
        'l2',
        'queries',
      ].sort(),
    );
    const openapi = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(openapi.paths['/cache/stats'].get).toMatchObject({ operationId: 'getCacheStats', tags: ['cache'] });
  });

  it('answers from Postgres and stays ready when its Redis is unreachable', async () => {
    const app = await startQueryApi(`redis://127.0.0.1:${await freePort()}`);
    const paymentId = await insertPayment('no redis');
    // The read database's first connection (what readiness checks) is not what this test times.
    expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const started = performance.now();
      const response = await getPayment(app, paymentId, { 'x-min-position': position.toString() });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ description: 'no redis' });
      expect(performance.now() - started).toBeLessThan(1_000);
    }
    expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    expect((await statsOf(app)).l2.bypassed).toBeGreaterThan(0);
  });
});

// Keeps the tag helper honest against the spelling the cache uses for the payment view.
it('tags a payment view with payment:<id>', () => {
  expect(tagsOfChanges('payments', { paymentIds: ['p'], organizationIds: ['o'] })).toEqual([
    cacheTags.payment('p'),
    cacheTags.organization('o'),
    cacheTags.projection('payments'),
  ]);
});
