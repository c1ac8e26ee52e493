/**
 * Redis dies under the cache (SIGKILL of a redis-server this test started) and comes back: reads keep
 * answering from Postgres, quickly and without an error, and the cache finds L2 again by itself.
 */
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { Kysely } from 'kysely';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import { createDatabase, createRedis } from '@gyroscops/platform';
import { ItemsSource } from './test-support/items-source';
import { startRedisServer, type RedisServerProcess } from './test-support/redis-server-process';
import { TwoLevelCache, type CacheLookup } from './two-level-cache';

let env: TestEnvironment;
let db: Kysely<any>;
let source: ItemsSource;
let server: RedisServerProcess;
const connections: Redis[] = [];

beforeAll(async () => {
  env = await createTestEnvironment();
  db = createDatabase({ url: env.readDatabaseUrl });
  source = await ItemsSource.create(db);
  server = await startRedisServer();
});

afterAll(async () => {
  for (const connection of connections) connection.disconnect();
  await server?.kill();
  await db?.destroy();
  await env?.dispose();
});

/** A cache as query-api builds one: its connection has no offline queue and a 25 ms command timeout. */
function instance(): { cache: TwoLevelCache; redis: Redis } {
  const redis = createRedis(
    { url: server.url, keyPrefix: 'down-test:' },
    { name: 'cache-down-test', commandTimeoutMs: 25 },
  );
  connections.push(redis);
  const cache = new TwoLevelCache({
    redis,
    keyPrefix: 'down-test:',
    l1: { maxEntries: 1_000, maxBytes: 1_000_000, ttlMs: 30_000 },
    defaultTtlSeconds: 300,
  });
  return { cache, redis };
}

const ready = (redis: Redis) =>
  redis.status === 'ready' ? Promise.resolve() : new Promise((resolve) => redis.once('ready', resolve));

const lookup = (id: string): CacheLookup<{ id: string; value: string } | null> => ({
  type: 'item',
  params: { id },
  currentPosition: () => 1n,
  tags: () => [`item:${id}`],
  load: () => source.read(id),
});

async function newItem(): Promise<string> {
  const id = randomUUID();
  await source.put(id, `value of ${id}`);
  return id;
}

async function timedRead(cache: TwoLevelCache, id: string) {
  const started = performance.now();
  const answer = await cache.get(lookup(id));
  return { ...answer, ms: performance.now() - started };
}

it('serves from Postgres while Redis is killed, then finds L2 again once it is back', async () => {
  const a = instance();
  const b = instance();
  await Promise.all([ready(a.redis), ready(b.redis)]);
  const warm = await newItem();
  expect(await a.cache.get(lookup(warm))).toMatchObject({ source: 'db' });
  // The write-back does not hold the answer: b reads L2 once it landed.
  await a.cache.settled();
  expect(await b.cache.get(lookup(warm))).toMatchObject({ source: 'l2' });

  await server.kill();
  // Right after the kill the clients may not have noticed yet: every path (timeout, closed, not ready) must hold.
  for (let index = 0; index < 30; index += 1) {
    const id = await newItem();
    const answer = await timedRead(a.cache, id);
    expect(answer).toMatchObject({ value: { id, value: `value of ${id}` }, source: 'db' });
    expect(answer.ms).toBeLessThan(1_000);
  }
  // What L1 holds is still served.
  expect(await timedRead(a.cache, warm)).toMatchObject({ source: 'l1' });
  const stats = a.cache.stats();
  expect(stats.l2.errors + stats.l2.bypassed).toBeGreaterThan(0);

  await server.start();
  const restarted = Date.now();
  let recovered = false;
  while (!recovered && Date.now() - restarted < 10_000) {
    const id = await newItem();
    await a.cache.get(lookup(id));
    await a.cache.settled();
    recovered = (await b.cache.get(lookup(id))).source === 'l2';
    if (!recovered) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(recovered).toBe(true);
  expect(Date.now() - restarted).toBeLessThan(5_000);
});
