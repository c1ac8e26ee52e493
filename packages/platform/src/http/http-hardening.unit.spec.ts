/**
 * Proves the hardening every API gets from createHttpApp, in memory (inject, counters in process):
 * helmet's headers on every answer with Swagger UI's own CSP on /docs, CORS only for listed origins,
 * 413 and 415 as problem+json, rate limits per token subject (and per IP address for requests that
 * fail authentication) answering 429 with Retry-After while health, metrics and docs stay unlimited,
 * and 503 with Retry-After under event-loop saturation with /health/live still answering.
 * Sharing limits across instances through Redis is proven end to end (tests/e2e hardening).
 */
import { Type } from '@sinclair/typebox';
import { Registry } from 'prom-client';
import type { HttpHardeningOptions } from './create-http-app';
import { createHttpApp, type HttpApp } from './create-http-app';
import { mintToken } from './development-token';

const SECRET = 'unit-test-secret-0123456789abcdefghijklmnop';
const bearer = (sub: string) => `Bearer ${mintToken(SECRET, { sub, orgs: ['org-1'] })}`;

async function appWith(hardening: HttpHardeningOptions = {}): Promise<HttpApp> {
  const app = await createHttpApp({
    service: 'test-api',
    title: 'test',
    description: 'test',
    log: { level: 'silent', pretty: false },
    metrics: new Registry(),
    readiness: {},
    tags: [],
    auth: { kind: 'secret', secret: SECRET },
    hardening,
  });
  app.post(
    '/things',
    { schema: { body: Type.Object({ name: Type.String() }, { additionalProperties: false }) } },
    async (request, reply) => reply.code(201).send({ name: request.body.name, by: request.caller.userId }),
  );
  app.get('/things', async () => ({ items: [] }));
  return app;
}

describe('createHttpApp hardening', () => {
  let app: HttpApp;
  afterEach(async () => app?.close());

  describe('security headers', () => {
    it('every answer, errors included, carries helmet headers and a deny-all CSP', async () => {
      app = await appWith();
      for (const response of [
        await app.inject({ method: 'GET', url: '/things', headers: { authorization: bearer('u1') } }),
        await app.inject({ method: 'GET', url: '/things' }),
        await app.inject({ method: 'GET', url: '/health/live' }),
      ]) {
        expect(response.headers['x-content-type-options']).toBe('nosniff');
        expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
        expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(response.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
      }
    });

    it('Swagger UI gets its own CSP that lets its page load, without upgrading http assets', async () => {
      app = await appWith();
      const page = await app.inject({ method: 'GET', url: '/docs/' });
      expect(page.statusCode).toBe(200);
      const csp = String(page.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(csp).not.toContain("default-src 'none'");
      const script = await app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
      expect(script.statusCode).toBe(200);
    });
  });

  describe('CORS', () => {
    it('without CORS_ORIGINS no CORS header is ever sent', async () => {
      app = await appWith();
      const response = await app.inject({
        method: 'GET',
        url: '/things',
        headers: { origin: 'https://app.example.com', authorization: bearer('u1') },
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('a listed origin is allowed, a preflight needs no token, and another origin gets no CORS header', async () => {
      app = await appWith({ corsOrigins: ['https://app.example.com'] });
      const allowed = await app.inject({
        method: 'GET',
        url: '/things',
        headers: { origin: 'https://app.example.com', authorization: bearer('u1') },
      });
      expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(String(allowed.headers['access-control-expose-headers'])).toContain('x-request-id');

      const preflight = await app.inject({
        method: 'OPTIONS',
        url: '/things',
        headers: {
          origin: 'https://app.example.com',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(String(preflight.headers['access-control-allow-methods'])).toContain('POST');

      const denied = await app.inject({
        method: 'GET',
        url: '/things',
        headers: { origin: 'https://evil.example.com', authorization: bearer('u1') },
      });
      expect(denied.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('bodies', () => {
    it('a body over the limit is a 413 problem+json', async () => {
      app = await appWith();
      const response = await app.inject({
        method: 'POST',
        url: '/things',
        headers: { authorization: bearer('u1'), 'content-type': 'application/json' },
        payload: JSON.stringify({ name: 'x'.repeat(70 * 1024) }),
      });
      expect(response.statusCode).toBe(413);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    });

    it.each([
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/problem+json',
      'application/octet-stream',
    ])('a %s body is a 415 problem+json', async (contentType) => {
      app = await appWith();
      const response = await app.inject({
        method: 'POST',
        url: '/things',
        headers: { authorization: bearer('u1'), 'content-type': contentType },
        payload: '{"name":"x"}',
      });
      expect(response.statusCode).toBe(415);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    });

    it('JSON with a charset is accepted', async () => {
      app = await appWith();
      const response = await app.inject({
        method: 'POST',
        url: '/things',
        headers: { authorization: bearer('u1'), 'content-type': 'application/json; charset=utf-8' },
        payload: '{"name":"x"}',
      });
      expect(response.statusCode).toBe(201);
    });
  });

  describe('rate limits', () => {
    it('counts per token subject and answers 429 problem+json with Retry-After past the limit', async () => {
      app = await appWith({ rateLimit: { max: 3, windowMs: 60_000 } });
      const get = (sub: string) =>
        app.inject({ method: 'GET', url: '/things', headers: { authorization: bearer(sub) } });
      for (let index = 0; index < 3; index++) {
        const response = await get('alice');
        expect(response.statusCode).toBe(200);
        // draft-ietf-httpapi-ratelimit-headers: the quota and window, then what is left and when it resets.
        expect(response.headers['ratelimit-policy']).toBe('"default";q=3;w=60');
        expect(response.headers.ratelimit).toMatch(new RegExp(`^"default";r=${2 - index};t=(60|59)$`));
        expect(response.headers['x-ratelimit-remaining']).toBeUndefined();
      }
      const limited = await get('alice');
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(limited.headers.ratelimit).toBe(`"default";r=0;t=${limited.headers['retry-after']}`);
      expect(limited.headers['ratelimit-policy']).toBe('"default";q=3;w=60');
      expect(limited.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      // Another subject has a budget of its own.
      expect((await get('bob')).statusCode).toBe(200);
    });

    it('requests failing authentication are counted by IP address and get 429 past the limit', async () => {
      app = await appWith({ rateLimit: { max: 2, windowMs: 60_000 } });
      const answers = [];
      for (let index = 0; index < 4; index++)
        answers.push(await app.inject({ method: 'GET', url: '/things', headers: { authorization: 'Bearer forged' } }));
      expect(answers.map((answer) => answer.statusCode)).toEqual([401, 401, 429, 429]);
      expect(answers.map((answer) => String(answer.headers.ratelimit).split(';')[1])).toEqual([
        'r=1',
        'r=0',
        'r=0',
        'r=0',
      ]);
      // A valid token is counted by its subject, not by that address.
      expect(
        (await app.inject({ method: 'GET', url: '/things', headers: { authorization: bearer('carol') } })).statusCode,
      ).toBe(200);
    });

    it('counts requests failing authentication by the X-Forwarded-For client only behind a trusted proxy', async () => {
      const unauthenticatedFrom = async (client: string) =>
        (
          await app.inject({
            method: 'GET',
            url: '/things',
            remoteAddress: '10.1.2.3',
            headers: { authorization: 'Bearer forged', 'x-forwarded-for': client },
          })
        ).statusCode;
      app = await appWith({ rateLimit: { max: 1, windowMs: 60_000 }, trustProxy: ['10.0.0.0/8'] });
      expect([
        await unauthenticatedFrom('203.0.113.7'),
        await unauthenticatedFrom('203.0.113.7'),
        await unauthenticatedFrom('198.51.100.9'),
      ]).toEqual([401, 429, 401]);
      await app.close();
      // One trusted hop: the address the proxy appended counts; what the client put before it does not.
      app = await appWith({ rateLimit: { max: 1, windowMs: 60_000 }, trustProxy: 1 });
      expect([
        await unauthenticatedFrom('192.0.2.1, 203.0.113.7'),
        await unauthenticatedFrom('192.0.2.2, 203.0.113.7'),
        await unauthenticatedFrom('198.51.100.9'),
      ]).toEqual([401, 429, 401]);
      await app.close();
      // Without TRUST_PROXY the header is the client's say-so: every request counts against the proxy's address.
      app = await appWith({ rateLimit: { max: 1, windowMs: 60_000 } });
      expect([await unauthenticatedFrom('203.0.113.7'), await unauthenticatedFrom('198.51.100.9')]).toEqual([401, 429]);
    });

    it('health, metrics, docs and openapi.json are never limited', async () => {
      app = await appWith({ rateLimit: { max: 1, windowMs: 60_000 } });
      for (let index = 0; index < 3; index++) {
        for (const url of ['/health/live', '/health/ready', '/metrics', '/openapi.json', '/docs/']) {
          const response = await app.inject({ method: 'GET', url });
          expect([url, response.statusCode]).toEqual([url, 200]);
          expect(response.headers.ratelimit).toBeUndefined();
          expect(response.headers['ratelimit-policy']).toBeUndefined();
        }
      }
    });
  });

  describe('load shedding', () => {
    it('under event-loop saturation answers 503 problem+json with Retry-After, but /health/live still answers', async () => {
      app = await appWith({ maxEventLoopDelayMs: 10 });
      await app.ready();
      // Block the event loop well past the threshold, then let under-pressure sample it (every second).
      const giveUp = Date.now() + 15_000;
      let shed: Awaited<ReturnType<HttpApp['inject']>> | undefined;
      while (!shed && Date.now() < giveUp) {
        const busyUntil = Date.now() + 300;
        while (Date.now() < busyUntil) {
          // busy: the event loop cannot turn
        }
        await new Promise((resolve) => setImmediate(resolve));
        const response = await app.inject({ method: 'GET', url: '/things', headers: { authorization: bearer('u1') } });
        if (response.statusCode === 503) shed = response;
      }
      expect(shed).toBeDefined();
      expect(shed!.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(shed!.headers['retry-after']).toBe('2');
      expect(shed!.json()).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
      expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    });
  });
});
