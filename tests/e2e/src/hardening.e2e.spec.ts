/**
 * The command-api's edge over real HTTP, on real Postgres, Redis and Temporal: oversized bodies are
 * a 413, anything but JSON a 415, both problem+json and neither claims an idempotency key, starts a
 * command or appends an event; a caller past the rate limit gets a 429 with Retry-After, and two
 * instances sharing Redis share one budget; CORS answers only listed origins; helmet's headers are on
 * every answer. Plain fetch on purpose: these requests are malformed by design, which a generated
 * client would refuse to send.
 */
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type Redis from 'ioredis';
import { sql } from 'kysely';
import { EVENT_STORE_MIGRATIONS } from '@gyroscops/cli';
import { buildCommandApi } from '@gyroscops/command-api';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import type { EventStoreDb, EventStoreTables } from '@gyroscops/event-store';
import type { IdempotencyTables } from '@gyroscops/idempotency';
import {
  createDatabase,
  createMetricsRegistry,
  createRedis,
  mintToken,
  runMigrations,
  withTablesOf,
  type HttpApp,
} from '@gyroscops/platform';

const SECRET = 'hardening-e2e-secret-0123456789abcdefghijklmnop';
const ALLOWED_ORIGIN = 'https://billing.example.com';
const RATE_LIMIT = { max: 5, windowMs: 60_000 };
const ORG = 'org-hardening';

const bearer = (sub: string) => `Bearer ${mintToken(SECRET, { sub, orgs: [ORG] })}`;

let env: TestEnvironment;
let eventStore: EventStoreDb;
let connection: Connection;
const redisConnections: Redis[] = [];
const apps: HttpApp[] = [];
/** Two command-api instances, as behind a load balancer: own processes' worth of state, one Redis. */
let instances: string[];

async function startInstance(name: string): Promise<string> {
  const redis = createRedis({ url: env.redisUrl, keyPrefix: env.redisPrefix }, { name, commandTimeoutMs: 2_000 });
  redisConnections.push(redis);
  const app = await buildCommandApi({
    temporal: new Client({ connection, namespace: env.namespace }),
    eventStore,
    idempotencyDb: withTablesOf<IdempotencyTables>(eventStore),
    log: { level: 'silent', pretty: false },
    auth: { kind: 'secret', secret: SECRET },
    hardening: {
      corsOrigins: [ALLOWED_ORIGIN],
      rateLimit: RATE_LIMIT,
      rateLimitStore: { redis, keyPrefix: env.redisPrefix },
    },
    metrics: createMetricsRegistry('command-api'),
    resultTimeoutMs: 2_000,
    idempotencyTtlMs: 24 * 3_600_000,
  });
  apps.push(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  env = await createTestEnvironment();
  eventStore = createDatabase<EventStoreTables>({ url: env.eventStoreDatabaseUrl, maxConnections: 5 });
  for (const set of EVENT_STORE_MIGRATIONS) await runMigrations(eventStore, set);
  connection = await Connection.connect({ address: env.temporalAddress });
  instances = [await startInstance('hardening-a'), await startInstance('hardening-b')];
});

afterAll(async () => {
  await Promise.allSettled(apps.map((app) => app.close()));
  for (const redis of redisConnections) redis.disconnect();
  await eventStore?.destroy();
  await connection?.close();
  await env?.dispose();
});

/** What a rejected request must not have left behind: an event, or a claimed idempotency key. */
async function traces(): Promise<{ events: number; idempotencyKeys: number }> {
  const events = await sql<{ count: string }>`SELECT count(*) AS count FROM events`.execute(eventStore);
  const keys = await sql<{ count: string }>`SELECT count(*) AS count FROM idempotency_keys`.execute(eventStore);
  return { events: Number(events.rows[0]!.count), idempotencyKeys: Number(keys.rows[0]!.count) };
}

const payment = () => ({ organizationId: ORG, amount: '10.00', currency: 'EUR' });

async function post(base: string, body: string | Blob, headers: Record<string, string>) {
  const response = await fetch(`${base}/payments`, {
    method: 'POST',
    headers: { authorization: bearer(`body-${randomUUID()}`), 'idempotency-key': randomUUID(), ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, body: await response.json().catch(() => undefined) };
}

describe('request bodies', () => {
  it('a body over 64 KiB is a 413 problem+json that changes nothing', async () => {
    const body = JSON.stringify({ ...payment(), description: 'x'.repeat(70 * 1024) });

    const response = await post(instances[0]!, body, { 'content-type': 'application/json' });

    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE', instance: '/payments' });
    expect(await traces()).toEqual({ events: 0, idempotencyKeys: 0 });
  });

  it.each([
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=----x',
    'application/xml',
    'application/merge-patch+json',
    'application/octet-stream',
  ])('a %s body is a 415 problem+json that changes nothing', async (contentType) => {
    const response = await post(instances[0]!, JSON.stringify(payment()), { 'content-type': contentType });

    expect(response.status).toBe(415);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(await traces()).toEqual({ events: 0, idempotencyKeys: 0 });
  });

  it('a body without a content type is a 415 too', async () => {
    const response = await post(instances[0]!, new Blob([JSON.stringify(payment())]), {});

    expect(response.status).toBe(415);
    expect(response.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(await traces()).toEqual({ events: 0, idempotencyKeys: 0 });
  });
});

describe('rate limits', () => {
  it('one budget per token subject across two instances sharing Redis: past it, 429 with Retry-After', async () => {
    const user = `rate-${randomUUID()}`;
    const get = (base: string, sub = user) =>
      fetch(`${base}/commands/${randomUUID()}`, { headers: { authorization: bearer(sub) } });
    const [a, b] = instances as [string, string];

    // The budget is spent alternately on both instances: each one alone stays below the limit.
    const allowed: number[] = [];
    for (let index = 0; index < RATE_LIMIT.max; index++) {
      const response = await get(index % 2 === 0 ? a : b);
      await response.arrayBuffer();
      allowed.push(response.status);
      // RateLimit (draft-ietf-httpapi-ratelimit-headers) counts the shared budget down, whichever instance answers.
      expect(response.headers.get('ratelimit')).toMatch(
        new RegExp(`^"default";r=${RATE_LIMIT.max - index - 1};t=\\d+$`),
      );
      expect(response.headers.get('ratelimit-policy')).toBe(
        `"default";q=${RATE_LIMIT.max};w=${RATE_LIMIT.windowMs / 1000}`,
      );
    }
    expect(allowed).not.toContain(429);

    for (const base of [a, b]) {
      const limited = await get(base);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(RATE_LIMIT.windowMs / 1000);
      expect(limited.headers.get('ratelimit')).toBe(`"default";r=0;t=${limited.headers.get('retry-after')}`);
      expect(await limited.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    }

    // Another subject, and the health routes, are not affected.
    const other = await get(a, `rate-other-${randomUUID()}`);
    expect(other.status).not.toBe(429);
    expect((await fetch(`${a}/health/live`)).status).toBe(200);
  });

  it('a rate-limited command changes nothing', async () => {
    const user = `rate-post-${randomUUID()}`;
    const before = await traces();
    const send = () =>
      fetch(`${instances[1]}/payments`, {
        method: 'POST',
        headers: { authorization: bearer(user), 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        // Invalid on purpose (400): the budget is spent without starting commands.
        body: JSON.stringify({ ...payment(), amount: 'ten' }),
      });
    for (let index = 0; index < RATE_LIMIT.max; index++) expect((await send()).status).toBe(400);

    const limited = await send();

    expect(limited.status).toBe(429);
    expect(await traces()).toEqual(before);
  });
});

describe('CORS', () => {
  it('a listed origin may call the API and read its ids; a preflight needs no token', async () => {
    const preflight = await fetch(`${instances[0]}/payments`, {
      method: 'OPTIONS',
      headers: {
        origin: ALLOWED_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,idempotency-key',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('idempotency-key');

    const response = await fetch(`${instances[0]}/commands/${randomUUID()}`, {
      headers: { origin: ALLOWED_ORIGIN, authorization: bearer(`cors-${randomUUID()}`) },
    });
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(response.headers.get('access-control-expose-headers')).toContain('x-request-id');
  });

  it('another origin gets no CORS header, so the browser withholds the answer', async () => {
    const denied = 'https://evil.example.net';
    const preflight = await fetch(`${instances[0]}/payments`, {
      method: 'OPTIONS',
      headers: { origin: denied, 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const response = await fetch(`${instances[0]}/commands/${randomUUID()}`, {
      headers: { origin: denied, authorization: bearer(`cors-${randomUUID()}`) },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('security headers', () => {
  it.each([
    ['an accepted request', '/commands/00000000-0000-4000-8000-000000000000', true],
    ['a request without a token', '/commands/00000000-0000-4000-8000-000000000000', false],
    ['an unknown route', '/nowhere', true],
    ['the liveness probe', '/health/live', false],
  ])('helmet headers are on %s', async (_name, path, withToken) => {
    const response = await fetch(`${instances[0]}${path}`, {
      headers: withToken ? { authorization: bearer(`headers-${randomUUID()}`) } : {},
    });
    await response.arrayBuffer();
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    expect(response.headers.get('x-request-id')).toEqual(expect.any(String));
  });

  it('Swagger UI still loads under its own policy', async () => {
    const page = await fetch(`${instances[0]}/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});
