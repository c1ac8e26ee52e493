/**
 * Redis stopped while the services read and write. Redis is a redis-server the test starts on its own
 * port (nothing persisted); the query-api caches in it (L2) and learns of projection progress through
 * it, the projection worker announces there. While it is down: queries answer 200 from Postgres
 * (right answers), commands still succeed, rate limiting (where a service has it) fails open or
 * answers 429 but never a 5xx, and read-your-writes still works. When Redis returns, the cache
 * recovers: L2 answers hits again.
 */
import { randomUUID } from 'node:crypto';
import { startRedisServer, waitFor, type RedisServerProcess } from '@gyroscops/dev-infra';
import { startFaultStack, type FaultStack } from './support/fault-stack';
import { createPayments } from './support/create-payments';
import { request, type CommandResult } from './support/http';
import { waitForProjectionsCaughtUp } from './support/projections-caught-up';

let stack: FaultStack;
let redis: RedisServerProcess;
let seeded: CommandResult[];

interface CacheStats {
  l2: { hits: number; misses: number; errors: number; bypassed: number };
}
const cacheStats = async () => (await request<CacheStats>(stack.queryUrl, 'GET', '/cache/stats')).body;

beforeAll(async () => {
  redis = await startRedisServer();
  // One L1 entry: alternating between two payments misses L1 every time, so every lookup reaches L2.
  stack = await startFaultStack({ redisUrl: redis.url, env: { CACHE_L1_MAX_ENTRIES: '1' } });
  seeded = await createPayments(stack.commandUrl, 4);
  await waitForProjectionsCaughtUp(stack.readDb, stack.eventStore);
});

afterAll(async () => {
  await stack?.stop();
  await redis?.process.stop();
});

/** GETs each payment and checks the answer is 200 and right (as the command said it is). */
async function readAll(payments: CommandResult[]): Promise<void> {
  for (const payment of payments) {
    const answer = await request(stack.queryUrl, 'GET', `/payments/${payment.paymentId}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      paymentId: payment.paymentId,
      status: payment.status,
      version: payment.version,
    });
  }
}

it('with Redis up, alternating reads are L2 hits', async () => {
  await readAll(seeded);
  const before = await cacheStats();
  await readAll(seeded);
  expect((await cacheStats()).l2.hits).toBeGreaterThan(before.l2.hits);
});

it('with Redis down: queries answer 200 from Postgres, commands succeed, read-your-writes still works', async () => {
  const exit = await redis.process.kill('SIGKILL');
  expect(exit.signal).toBe('SIGKILL');

  await readAll(seeded);
  const search = await request<{ items: unknown[]; total: number }>(
    stack.queryUrl,
    'GET',
    '/payments?organizationId=org-fault-a&limit=50',
  );
  expect(search.status).toBe(200);
  expect(search.body.total).toBe(seeded.length);

  const paymentId = randomUUID();
  const created = await request<CommandResult>(stack.commandUrl, 'POST', '/payments', {
    json: { organizationId: 'org-fault-a', amount: '7.00', currency: 'EUR', paymentId },
  });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ paymentId, status: 'processed', version: 2 });

  // No announcement can arrive through Redis: the query-api must still see the projection move.
  const fresh = await request(stack.queryUrl, 'GET', `/payments/${paymentId}`, {
    headers: { 'x-min-position': created.body.position, 'x-wait-ms': '10000' },
  });
  expect(fresh.status).toBe(200);
  expect(fresh.body).toMatchObject({ paymentId, status: 'processed', version: 2 });
  seeded.push(created.body);

  await readAll(seeded);
  const stats = await cacheStats();
  expect(stats.l2.errors + stats.l2.bypassed).toBeGreaterThan(0);
});

/**
 * Rate limiting with Redis down: the contract allows a 429 (fails closed) or the request's normal
 * answer (fails open), never a 5xx. Passes whether or not a service has a rate limiter: once
 * @fastify/rate-limit with its Redis store and skipOnError lands, this is the test that proves it
 * fails open without its store.
 */
it('rate limiting with Redis down answers the request or 429, never a 5xx (429-or-pass)', async () => {
  expect(redis.process.running).toBe(false);
  const statuses = await Promise.all([
    ...Array.from({ length: 30 }, () =>
      request(stack.queryUrl, 'GET', `/payments/${seeded[0]!.paymentId}`).then((answer) => answer.status),
    ),
    ...Array.from({ length: 10 }, () =>
      request(stack.commandUrl, 'POST', '/payments', {
        json: { organizationId: 'org-fault-b', amount: '1.00', currency: 'EUR' },
      }).then((answer) => answer.status),
    ),
  ]);
  for (const status of statuses.slice(0, 30)) expect([200, 429]).toContain(status);
  for (const status of statuses.slice(30)) expect([201, 429]).toContain(status);
});

it('when Redis returns, the cache recovers: L2 hits again', async () => {
  await redis.process.start();
  await waitFor(
    'L2 hits after Redis came back',
    async () => {
      const before = await cacheStats();
      await readAll(seeded);
      await readAll(seeded);
      return (await cacheStats()).l2.hits > before.l2.hits;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  await readAll(seeded);
});
