/**
 * Proves the leased rate-limit store against a real Redis, two stores standing for two instances:
 * near the limit every request is counted in Redis one by one (the same answers as a plain Redis
 * counter); far from it one Redis call serves many requests; and however the two instances race,
 * they never let more than `max` requests through in a window, nor stop far short of it.
 */
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { createTestEnvironment, waitFor, type TestEnvironment } from '@gyroscops/dev-infra';
import { createRedis, leasedRedisRateLimitStore } from '@gyroscops/platform';

let env: TestEnvironment;
let redis: Redis;
/** Every command Redis receives, seen through MONITOR: how the test counts the store's calls. */
let monitor: Awaited<ReturnType<Redis['monitor']>>;
let monitorSource: Redis;
const commands: string[][] = [];

beforeAll(async () => {
  env = await createTestEnvironment();
  // The services give Redis 250 ms per command and fail open past it; this test counts what the
  // store decides, not how fast Redis answers, so a loaded machine must not turn it into a timeout.
  redis = createRedis(
    { url: env.redisUrl, keyPrefix: env.redisPrefix },
    { name: 'rate-limit-store-test', offlineQueue: true, commandTimeoutMs: 30_000 },
  );
  monitorSource = createRedis(
    { url: env.redisUrl, keyPrefix: '' },
    { name: 'rate-limit-store-monitor', offlineQueue: true },
  );
  monitor = await monitorSource.monitor();
  monitor.on('monitor', (_time: string, args: string[]) => commands.push(args));
});

afterAll(async () => {
  monitor?.disconnect();
  monitorSource?.disconnect();
  await redis?.quit();
  await env?.dispose();
});

/**
 * Until MONITOR has shown every command Redis ran so far: it streams commands in the order they ran,
 * so once a marker sent now shows up, every earlier command has too (its lines arrive after the replies).
 */
async function monitorCaughtUp(): Promise<void> {
  const marker = `monitor-marker-${randomUUID()}`;
  await redis.echo(marker);
  await waitFor('MONITOR to show the marker', async () => commands.some((args) => args.includes(marker)), {
    intervalMs: 5,
  });
}

/** How many lease scripts Redis ran on the key (MONITOR also shows the commands inside them). */
const callsOn = (key: string) =>
  commands.filter((args) => /^eval(sha)?$/i.test(args[0] ?? '') && args.includes(key)).length;

type Store = {
  incr(
    key: string,
    callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
    timeWindow: number,
    max: number,
  ): void;
};

/** Two instances of the service: two stores on one Redis, one namespace. */
function twoInstances(): [Store, Store, string] {
  // The services pass their Redis key prefix in the namespace, as here.
  const namespace = `${env.redisPrefix}rate-limit:${randomUUID()}:`;
  const Store = leasedRedisRateLimitStore(redis, namespace);
  return [new Store({} as never) as unknown as Store, new Store({} as never) as unknown as Store, namespace];
}

const incr = (store: Store, key: string, max: number, windowMs = 60_000) =>
  new Promise<{ current: number; ttl: number }>((resolve, reject) =>
    store.incr(
      key,
      (error, result) => (error || !result ? reject(error ?? new Error('no result')) : resolve(result)),
      windowMs,
      max,
    ),
  );

describe('leasedRedisRateLimitStore', () => {
  it('near the limit counts request by request in Redis, across instances, like a plain counter', async () => {
    const [a, b, namespace] = twoInstances();
    const currents: number[] = [];
    for (let index = 0; index < 9; index++) currents.push((await incr(index % 2 === 0 ? a : b, 'user:1', 5)).current);
    expect(currents.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
    // Past the budget every answer is over it (limited); an instance that saw it spent asks Redis no more.
    for (const current of currents.slice(5)) expect(current).toBeGreaterThan(5);
    await monitorCaughtUp();
    // One call per request within the budget, plus one for the instance that had not yet seen it spent.
    expect(callsOn(`${namespace}user:1`)).toBe(6);
  });

  it('far from the limit serves many requests per Redis call, counting down one by one', async () => {
    const [a, , namespace] = twoInstances();
    const currents: number[] = [];
    for (let index = 0; index < 500; index++) currents.push((await incr(a, 'user:2', 20_000)).current);
    expect(currents).toEqual(Array.from({ length: 500 }, (_, index) => index + 1));
    await monitorCaughtUp();
    const calls = callsOn(`${namespace}user:2`);
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(10);
  });

  it('two instances racing never let more than max through in a window, nor stop far short of it', async () => {
    const [a, b, namespace] = twoInstances();
    const max = 2_000;
    const allowed = { a: 0, b: 0 };
    const drain = async (store: Store, name: 'a' | 'b') => {
      // Concurrent requests, as a busy instance has them.
      for (;;) {
        const answers = await Promise.all(Array.from({ length: 20 }, () => incr(store, 'user:3', max)));
        const through = answers.filter((answer) => answer.current <= max).length;
        allowed[name] += through;
        if (through < answers.length) return;
      }
    };
    await Promise.all([drain(a, 'a'), drain(b, 'b')]);

    expect(allowed.a + allowed.b).toBeLessThanOrEqual(max);
    expect(allowed.a + allowed.b).toBeGreaterThanOrEqual(max * 0.85);
    expect(allowed.a).toBeGreaterThan(0);
    expect(allowed.b).toBeGreaterThan(0);
    // Once over, the answer is "limited" with the window's remaining time.
    const limited = await incr(a, 'user:3', max);
    expect(limited.current).toBeGreaterThan(max);
    expect(limited.ttl).toBeGreaterThan(0);
    expect(limited.ttl).toBeLessThanOrEqual(60_000);
    // Far fewer Redis calls than requests.
    await monitorCaughtUp();
    expect(callsOn(`${namespace}user:3`)).toBeLessThan(max / 10);
  });

  it('a new window starts over once the old one ends', async () => {
    const [a, , namespace] = twoInstances();
    for (let index = 0; index < 3; index++) await incr(a, 'user:4', 3, 300);
    const over = await incr(a, 'user:4', 3, 300);
    // The instance's lease ends by then (its answer's ttl counts from before now).
    const windowEndsBy = Date.now() + over.ttl;
    expect(over.current).toBe(4);
    await waitFor(
      'the 300 ms window to end, in the instance and in Redis',
      async () => Date.now() > windowEndsBy && (await redis.pttl(`${namespace}user:4`)) === -2,
      { intervalMs: 10 },
    );
    expect((await incr(a, 'user:4', 3, 300)).current).toBe(1);
  });
});
