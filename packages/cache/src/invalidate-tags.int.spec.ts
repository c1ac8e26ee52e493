/**
 * invalidateTags with a message to publish: the projection worker's announcement of a batch goes out
 * in the same Redis script as the bump of the batch's cache tags, after it. Checked on a real Redis
 * with MONITOR, which also lists the commands a script runs, in the order Redis ran them.
 */
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { createTestEnvironment, waitFor, type TestEnvironment } from '@gyroscops/dev-infra';
import { createRedis } from '@gyroscops/platform';
import { cacheKeys } from './cache-keys';
import { invalidateTags } from './invalidate-tags';

let env: TestEnvironment;
let redis: Redis;
let subscriber: Redis;
let monitorSource: Redis;
let monitor: Awaited<ReturnType<Redis['monitor']>>;
const commands: { args: string[]; source: string }[] = [];

beforeAll(async () => {
  env = await createTestEnvironment();
  redis = createRedis(
    { url: env.redisUrl, keyPrefix: env.redisPrefix },
    { name: 'invalidate-tags-test', offlineQueue: true, commandTimeoutMs: 5_000 },
  );
  subscriber = createRedis(
    { url: env.redisUrl, keyPrefix: env.redisPrefix },
    { name: 'invalidate-tags-subscriber', offlineQueue: true, commandTimeoutMs: 5_000 },
  );
  monitorSource = createRedis(
    { url: env.redisUrl, keyPrefix: '' },
    { name: 'invalidate-tags-monitor', offlineQueue: true, commandTimeoutMs: 5_000 },
  );
  monitor = await monitorSource.monitor();
  monitor.on('monitor', (_time: string, args: string[], source: string) => commands.push({ args, source }));
  // Redis knows the script from now on: each call below is one EVALSHA (no NOSCRIPT, then EVAL).
  await invalidateTags(redis, `${env.redisPrefix}warm-up:`, ['warm-up']);
});

afterAll(async () => {
  monitor?.disconnect();
  monitorSource?.disconnect();
  subscriber?.disconnect();
  await redis?.quit();
  await env?.dispose();
});

/** What Redis ran that touched `prefix` (MONITOR sees every client), from the client or from a script. */
const commandsUnder = (prefix: string) => commands.filter(({ args }) => args.some((arg) => arg.startsWith(prefix)));

it('bumps the tags, then publishes the message, in one script: one round trip, and no subscriber hears of the batch before the bump', async () => {
  const prefix = `${env.redisPrefix}${randomUUID()}:`;
  const keys = cacheKeys(prefix);
  const channel = `${prefix}projections`;
  const heard = new Promise<{ message: string; versions: (string | null)[] }>((resolve) => {
    subscriber.on('message', (from: string, message: string) => {
      if (from !== channel) return;
      void redis.mget(keys.tag('payment:a'), keys.tag('payment:b')).then((versions) => resolve({ message, versions }));
    });
  });
  await subscriber.subscribe(channel);

  await invalidateTags(redis, prefix, ['payment:a', 'payment:b'], { channel, message: 'batch 1' });

  const epoch = await redis.get(keys.epoch);
  expect(await heard).toEqual({ message: 'batch 1', versions: [epoch, epoch] });
  // Up to the publication (the subscriber's MGET and the GET above come after it).
  const ran = await waitFor('MONITOR to show the publication', async () => {
    const seen = commandsUnder(prefix);
    const published = seen.findIndex(({ args }) => args[0]?.toLowerCase() === 'publish');
    return published >= 0 ? seen.slice(0, published + 1) : undefined;
  });
  // The subscriber's own SUBSCRIBE aside, the client sent one command.
  const fromClient = ran.filter(
    ({ source, args }) => !source.includes('lua') && args[0]?.toLowerCase() !== 'subscribe',
  );
  expect(fromClient.map(({ args }) => args[0]!.toLowerCase())).toEqual(['evalsha']);
  const inScript = ran
    .filter(({ source }) => source.includes('lua'))
    .map(({ args }) => `${args[0]!.toLowerCase()} ${args[1]}`);
  expect(inScript.slice(-3)).toEqual([
    `set ${keys.tag('payment:a')}`,
    `set ${keys.tag('payment:b')}`,
    `publish ${channel}`,
  ]);
});

it('publishes nothing without a message, and sends nothing at all with neither tags nor message', async () => {
  const prefix = `${env.redisPrefix}${randomUUID()}:`;
  const keys = cacheKeys(prefix);
  await invalidateTags(redis, prefix, ['payment:c']);
  await invalidateTags(redis, prefix, []);
  expect(await redis.get(keys.tag('payment:c'))).toBe(await redis.get(keys.epoch));
  const fromClient = await waitFor('MONITOR to catch up', async () => {
    const seen = commandsUnder(prefix).filter(({ source }) => !source.includes('lua'));
    return seen.length >= 3 ? seen : undefined;
  });
  expect(fromClient.map(({ args }) => args[0]!.toLowerCase())).toEqual(['evalsha', 'get', 'get']);
  expect(commandsUnder(prefix).filter(({ args }) => args[0]?.toLowerCase() === 'publish')).toEqual([]);
});
