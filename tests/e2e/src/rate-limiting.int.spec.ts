/**
 * The RateLimit fields over a real Redis: the leased store's counts become `RateLimit: "default";r=…;t=…`
 * with the `RateLimit-Policy` of the configured quota, up to the 429 (whose `t` is its Retry-After);
 * and while Redis does not answer, requests pass (fail open) without claiming any budget.
 */
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import type Redis from 'ioredis';
import { Registry } from 'prom-client';
import { createHttpApp, createRedis, mintToken, type HttpApp } from '@gyroscops/platform';

const SECRET = 'rate-limit-int-secret-0123456789abcdefghijklmnop';
const bearer = (sub: string) => `Bearer ${mintToken(SECRET, { sub, orgs: ['org-1'] })}`;

let env: TestEnvironment;
const apps: HttpApp[] = [];
const connections: Redis[] = [];

beforeAll(async () => {
  env = await createTestEnvironment();
});

afterAll(async () => {
  for (const app of apps) await app.close();
  for (const redis of connections) redis.disconnect();
  await env?.dispose();
});

/** A connection of the services' kind (no offline queue: a command fails at once while disconnected), once connected. */
async function connectedRedis(name: string): Promise<Redis> {
  const redis = createRedis({ url: env.redisUrl, keyPrefix: env.redisPrefix }, { name, commandTimeoutMs: 2_000 });
  connections.push(redis);
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  return redis;
}

async function appOn(redis: Redis, max: number): Promise<HttpApp> {
  const app = await createHttpApp({
    service: 'rate-limit-test',
    title: 'test',
    description: 'test',
    log: { level: 'silent', pretty: false },
    metrics: new Registry(),
    readiness: {},
    tags: [],
    auth: { kind: 'secret', secret: SECRET },
    hardening: { rateLimit: { max, windowMs: 60_000 }, rateLimitStore: { redis, keyPrefix: env.redisPrefix } },
  });
  app.get('/things', async () => ({ items: [] }));
  apps.push(app);
  return app;
}

it('sends the RateLimit fields of the budget counted in Redis, down to the 429', async () => {
  const redis = await connectedRedis('rate-limit-int');
  const app = await appOn(redis, 3);
  const answers = [];
  for (let index = 0; index < 4; index++)
    answers.push(await app.inject({ method: 'GET', url: '/things', headers: { authorization: bearer('dana') } }));

  expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 429]);
  for (const answer of answers) expect(answer.headers['ratelimit-policy']).toBe('"default";q=3;w=60');
  const fields = answers.map((answer) => /^"default";r=(\d+);t=(\d+)$/.exec(String(answer.headers.ratelimit)));
  expect(fields.map((field) => field?.[1])).toEqual(['2', '1', '0', '0']);
  for (const field of fields) expect(Number(field?.[2])).toBeGreaterThanOrEqual(59);
  expect(answers[3]!.headers['retry-after']).toBe(fields[3]![2]);
  // The count lives in Redis under the service's namespace (the 429 was answered from the spent lease, without a call).
  expect(Number(await redis.get(`${env.redisPrefix}rate-limit:rate-limit-test:user:dana`))).toBe(3);
});

it('while Redis does not answer, lets requests through without RateLimit fields (fail open)', async () => {
  const redis = await connectedRedis('rate-limit-int-down');
  // Every command of the disconnected client fails at once, as during an outage.
  redis.disconnect();
  const app = await appOn(redis, 1);
  for (let index = 0; index < 3; index++) {
    const answer = await app.inject({ method: 'GET', url: '/things', headers: { authorization: bearer('erin') } });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers.ratelimit).toBeUndefined();
    expect(answer.headers['ratelimit-policy']).toBeUndefined();
  }
});
