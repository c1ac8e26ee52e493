/**
 * A rebuild's swap replaces every row of a projection at once: the invalidation it sends
 * (tagsOfChanges with `everything`) must make every cached payment view stale, in L2 for every
 * instance and in the L1 of each instance that gets the announcement, although those entries are
 * tagged only `payment:<id>`. An ordinary batch still drops only what it names.
 */
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { Kysely } from 'kysely';
import { cacheTags } from '@gyroscops/contracts';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import { createDatabase, createRedis } from '@gyroscops/platform';
import { invalidateTags, tagFamilyOf, tagsOfChanges, withTagFamilies } from './invalidate-tags';
import { ItemsSource } from './test-support/items-source';
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
    { name: 'cache-families-test', commandTimeoutMs: 5_000 },
  );
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
});

afterAll(async () => {
  await redis?.quit();
  await db?.destroy();
  await env?.dispose();
});

beforeEach(() => {
  prefix = `${env.redisPrefix}${randomUUID()}:`;
});

const instance = () =>
  new TwoLevelCache({
    redis,
    keyPrefix: prefix,
    l1: { maxEntries: 1_000, maxBytes: 1_000_000, ttlMs: 30_000 },
    defaultTtlSeconds: 300,
  });

/** A payment view as the query side caches it: tagged with its payment only. */
const paymentView = (id: string): CacheLookup<{ id: string; value: string } | null> => ({
  type: 'payment-view',
  params: { id },
  currentPosition: () => 1n,
  tags: () => [cacheTags.payment(id)],
  load: () => source.read(id),
});

async function newPayment(value: string): Promise<string> {
  const id = randomUUID();
  await source.put(id, value);
  return id;
}

it('names each tag family once, and adds the payment and organization families on a swap', () => {
  expect(tagFamilyOf(cacheTags.payment('p1'))).toBe('payment:*');
  expect(tagFamilyOf('payment:*')).toBeUndefined();
  expect(tagFamilyOf('plain')).toBeUndefined();
  expect(withTagFamilies(['payment:p1', 'payment:p2', 'org:o1'])).toEqual([
    'payment:p1',
    'payment:p2',
    'org:o1',
    'payment:*',
    'org:*',
  ]);
  expect(tagsOfChanges('payments', { paymentIds: [], organizationIds: [], everything: true })).toEqual([
    cacheTags.projection('payments'),
    'payment:*',
    'org:*',
  ]);
  expect(tagsOfChanges('payments', { paymentIds: ['p1'], organizationIds: [] })).toEqual([
    cacheTags.payment('p1'),
    cacheTags.projection('payments'),
  ]);
});

it('drops every cached payment view on a swap, in L2 and in the L1 of an instance that gets the announcement', async () => {
  const [first, second] = [await newPayment('old-1'), await newPayment('old-2')];
  const a = instance();
  for (const id of [first, second]) expect(await a.get(paymentView(id))).toMatchObject({ source: 'db' });
  expect(await instance().get(paymentView(first))).toMatchObject({ source: 'l2' });
  expect(await a.get(paymentView(second))).toMatchObject({ source: 'l1' });

  // The rebuild rewrote both rows; then the swap's invalidation and announcement.
  await source.put(first, 'new-1');
  await source.put(second, 'new-2');
  const swap = tagsOfChanges('payments', { paymentIds: [], organizationIds: [], everything: true });
  await invalidateTags(redis, prefix, swap);
  a.invalidateLocal(swap);

  expect(await a.get(paymentView(first))).toMatchObject({ value: { value: 'new-1' }, source: 'db' });
  expect(await instance().get(paymentView(second))).toMatchObject({ value: { value: 'new-2' }, source: 'db' });
});

it('keeps other payments cached after an ordinary batch that names one payment', async () => {
  const [touched, untouched] = [await newPayment('t'), await newPayment('u')];
  const a = instance();
  await a.get(paymentView(touched));
  await a.get(paymentView(untouched));
  const batch = tagsOfChanges('payments', { paymentIds: [touched], organizationIds: [] });
  await invalidateTags(redis, prefix, batch);
  a.invalidateLocal(batch);

  expect(await a.get(paymentView(untouched))).toMatchObject({ source: 'l1' });
  expect(await instance().get(paymentView(untouched))).toMatchObject({ source: 'l2' });
  expect(await a.get(paymentView(touched))).toMatchObject({ source: 'db' });
});
