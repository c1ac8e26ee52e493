/**
 * The two-level cache against a real Redis and a real Postgres table as its source: hits after the
 * first read (L1, then L2 from another instance), invalidation, the stale write-back race, single
 * flight, per-type TTL and the X-Min-Position rule.
 */
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { Kysely } from 'kysely';
import { createTestEnvironment, waitFor, type TestEnvironment } from '@gyroscops/dev-infra';
import { createDatabase, createRedis } from '@gyroscops/platform';
import { cacheKeys } from './cache-keys';
import { invalidateTags } from './invalidate-tags';
import { gate, ItemsSource } from './test-support/items-source';
import { TwoLevelCache, type CacheLookup } from './two-level-cache';

let env: TestEnvironment;
let db: Kysely<any>;
let redis: Redis;
let source: ItemsSource;
let prefix: string;

beforeAll(async () => {
  env = await createTestEnvironment();
  db = createDatabase({ url: env.readDatabaseUrl });
  source = await ItemsSource.create(db);
  redis = createRedis(
    { url: env.redisUrl, keyPrefix: env.redisPrefix },
    { name: 'cache-test', commandTimeoutMs: 5_000 },
  );
  // Without an offline queue, the cache skips L2 until the connection is ready.
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
});

afterAll(async () => {
  await redis?.quit();
  await db?.destroy();
  await env?.dispose();
});

beforeEach(() => {
  // A prefix per test: instances of one test share L2, tests do not.
  prefix = `${env.redisPrefix}${randomUUID()}:`;
  source.reads = 0;
  source.heldReads = 0;
  source.gate = undefined;
});

/** One query-api instance's cache: instances of a test share Redis (L2) but not L1. */
const instance = (options: { ttlMs?: number } = {}) =>
  new TwoLevelCache({
    redis,
    keyPrefix: prefix,
    l1: { maxEntries: 1_000, maxBytes: 1_000_000, ttlMs: options.ttlMs ?? 30_000 },
    defaultTtlSeconds: 300,
  });

const tagOf = (id: string) => `item:${id}`;

/** A lookup of item `id` read at projection `position`, as the bus builds one. */
type Item = { id: string; value: string } | null;
const lookup = (id: string, extra: Partial<CacheLookup<Item>> = {}): CacheLookup<Item> => ({
  type: 'item',
  params: { id },
  currentPosition: () => 1n,
  tags: () => [tagOf(id)],
  load: () => source.read(id),
  ...extra,
});

async function newItem(value: string): Promise<string> {
  const id = randomUUID();
  await source.put(id, value);
  return id;
}

describe('TwoLevelCache', () => {
  it('answers the second read from L1, and another instance from L2', async () => {
    const id = await newItem('v1');
    const a = instance();
    expect(await a.get(lookup(id))).toMatchObject({ value: { id, value: 'v1' }, source: 'db' });
    expect(await a.get(lookup(id))).toMatchObject({ value: { id, value: 'v1' }, source: 'l1' });
    expect(a.stats()).toMatchObject({ l1: { hits: 1, misses: 1 }, l2: { hits: 0, misses: 1 }, hitRate: 0.5 });

    const b = instance();
    expect(await b.get(lookup(id))).toMatchObject({ value: { id, value: 'v1' }, source: 'l2' });
    expect(await b.get(lookup(id))).toMatchObject({ source: 'l1' });
    expect(b.stats()).toMatchObject({ l1: { hits: 1, misses: 1 }, l2: { hits: 1, misses: 0 }, hitRate: 1 });
    expect(source.reads).toBe(1);
  });

  it('reads the source again after invalidateTags, in the instance that got the announcement and in one that only has L2', async () => {
    const id = await newItem('v1');
    const a = instance();
    const b = instance();
    await a.get(lookup(id));
    await source.put(id, 'v2');
    // What the projection worker does after its batch, then what every instance does on the announcement.
    await invalidateTags(redis, prefix, [tagOf(id)]);
    a.invalidateLocal([tagOf(id)]);

    expect(await a.get(lookup(id))).toMatchObject({ value: { value: 'v2' }, source: 'db' });
    expect(a.stats().invalidations).toBe(1);
    expect(a.stats().invalidatedEntries).toBe(1);
    // b never had it in L1; the L2 entry a wrote before the invalidation is not served...
    await invalidateTags(redis, prefix, [tagOf(id)]);
    expect(await b.get(lookup(id))).toMatchObject({ value: { value: 'v2' }, source: 'db' });
    // ...and an untouched tag leaves other entries alone.
    const other = await newItem('o1');
    await b.get(lookup(other));
    await invalidateTags(redis, prefix, [tagOf('someone-else')]);
    expect(await instance().get(lookup(other))).toMatchObject({ source: 'l2' });
  });

  it.each([
    ['with the announcement', true],
    ['with the Redis invalidation alone', false],
  ])(
    'does not let a slow read overtaken by an invalidation leave its stale result in L1 or L2 (%s)',
    async (_name, announced) => {
      const id = await newItem('old');
      const a = instance();
      const held = gate();
      source.gate = held.promise;
      const slow = a.get(lookup(id));
      // The slow read has read 'old' from Postgres and waits; the write and its invalidation land meanwhile.
      await waitFor('the slow read to hold its row', async () => source.heldReads === 1, { intervalMs: 1 });
      await source.put(id, 'new');
      await invalidateTags(redis, prefix, [tagOf(id)]);
      if (announced) a.invalidateLocal([tagOf(id)]);
      source.gate = undefined;
      held.release();
      expect((await slow).value).toEqual({ id, value: 'old' });
      // The write-back does not hold the answer; once Redis answered it, it left nothing stale behind.
      await a.settled();

      // L2 refused the write-back: a fresh instance goes to the source and sees the new value.
      expect(await instance().get(lookup(id))).toMatchObject({ value: { value: 'new' }, source: 'db' });
      // L1 refused it too: the slow instance does not serve 'old' from memory.
      const next = await a.get(lookup(id));
      expect(next.value).toEqual({ id, value: 'new' });
      expect(next.source).not.toBe('l1');
    },
  );

  it('answers a miss before its write-back to Redis finishes, and the write-back still lands', async () => {
    const id = await newItem('v1');
    const a = instance();
    expect(await a.get(lookup(id))).toMatchObject({ source: 'db' });
    // The answer is out while the write-back's Redis reply has not come back yet.
    expect(a.pendingWriteBacks).toBe(1);
    await a.settled();
    expect(a.pendingWriteBacks).toBe(0);
    expect(await instance().get(lookup(id))).toMatchObject({ value: { value: 'v1' }, source: 'l2' });
    expect(source.reads).toBe(1);
  });

  it('drops the L1 entry again when Redis refuses its write-back (an invalidation this instance was not told of)', async () => {
    const id = await newItem('old');
    const a = instance();
    const answer = await a.get(
      lookup(id, {
        // The batch lands between the L2 read and the write-back; its announcement never reaches this instance.
        load: async () => {
          const value = await source.read(id);
          await source.put(id, 'new');
          await invalidateTags(redis, prefix, [tagOf(id)]);
          return value;
        },
      }),
    );
    expect(answer).toMatchObject({ value: { value: 'old' }, source: 'db' });
    await a.settled();
    expect(await a.get(lookup(id))).toMatchObject({ value: { value: 'new' }, source: 'db' });
  });

  it('makes one source call for 20 concurrent misses on one key (single flight)', async () => {
    const id = await newItem('v1');
    const a = instance();
    const held = gate();
    source.gate = held.promise;
    const reads = Array.from({ length: 20 }, () => a.get(lookup(id)));
    // Every caller is attached while the one load is still in progress.
    await waitFor('the load to be held', async () => source.heldReads === 1, { intervalMs: 1 });
    held.release();
    const answers = await Promise.all(reads);
    expect(source.reads).toBe(1);
    expect(answers.every((answer) => answer.value?.value === 'v1')).toBe(true);
    expect(a.stats().coalesced).toBe(19);
  });

  it('honours a query type own L2 TTL, in Redis and in L1', async () => {
    const id = await newItem('v1');
    const a = instance();
    const short = lookup(id, { type: 'item-short', ttlSeconds: 1 });
    await a.get(short);
    await a.settled();
    // Both levels stored the entry once the write-back finished: from here it has at most 1 s to live in each.
    const storedBy = performance.now();
    const shortKey = cacheKeys(prefix).entry('item-short', { id });
    const pttl = await redis.pttl(shortKey);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(1_000);
    expect(await a.get(short)).toMatchObject({ source: 'l1' });
    // Past the TTL in both: Redis dropped the key, and L1's clock (performance.now, 1 ms resolution) is past it too.
    await waitFor(
      'the 1 s entry to expire',
      async () => performance.now() - storedBy > 1_010 && (await redis.pttl(shortKey)) === -2,
      { intervalMs: 20 },
    );
    expect(await a.get(short)).toMatchObject({ source: 'db' });
    expect(await redis.pttl(cacheKeys(prefix).entry('item', { id }))).toBe(-2);
    await a.get(lookup(id));
    expect(await redis.pttl(cacheKeys(prefix).entry('item', { id }))).toBeGreaterThan(299_000);
  });

  it('does not serve an entry read before X-Min-Position, from L1, L2 or a load in flight', async () => {
    const id = await newItem('v1');
    const a = instance();
    await a.get(lookup(id, { currentPosition: () => 5n }));
    expect(await a.get(lookup(id, { minPosition: 5n }))).toMatchObject({ source: 'l1', position: 5n });
    expect(await a.get(lookup(id, { minPosition: 6n, currentPosition: () => 6n }))).toMatchObject({
      source: 'db',
      position: 6n,
    });
    expect(source.reads).toBe(2);

    // Another instance: the L2 entry (now at 6) is not served to a caller that needs 7.
    const b = instance();
    expect(await b.get(lookup(id, { minPosition: 7n, currentPosition: () => 7n }))).toMatchObject({
      source: 'db',
      position: 7n,
    });
    expect(await instance().get(lookup(id, { minPosition: 7n }))).toMatchObject({ source: 'l2', position: 7n });

    // A load in flight since position 7 is not joined by a caller that needs 8.
    const c = instance();
    const held = gate();
    source.gate = held.promise;
    const older = c.get(lookup(id, { minPosition: 8n, currentPosition: () => 7n }));
    const newer = c.get(lookup(id, { minPosition: 8n, currentPosition: () => 8n }));
    held.release();
    await Promise.all([older, newer]);
    expect(source.reads).toBe(5);
  });

  it('caches a null result (an unknown id) until its tag is invalidated', async () => {
    const id = randomUUID();
    const a = instance();
    expect(await a.get(lookup(id))).toMatchObject({ value: null, source: 'db' });
    expect(await instance().get(lookup(id))).toMatchObject({ value: null, source: 'l2' });
    await source.put(id, 'created');
    await invalidateTags(redis, prefix, [tagOf(id)]);
    a.invalidateLocal([tagOf(id)]);
    expect(await a.get(lookup(id))).toMatchObject({ value: { value: 'created' }, source: 'db' });
  });

  it('empties L1 on flushLocal, and spoils the fills in flight', async () => {
    const id = await newItem('v1');
    const a = instance();
    await a.get(lookup(id));
    a.flushLocal();
    expect(await a.get(lookup(id))).toMatchObject({ source: 'l2' });
    expect(a.stats().flushes).toBe(1);
  });
});
