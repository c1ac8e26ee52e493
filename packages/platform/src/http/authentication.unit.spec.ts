import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSigner } from 'fast-jwt';
import { Registry } from 'prom-client';
import { ConfigError } from '../config/env-reader';
import { loadConfig } from '../config/platform-config';
import { DEFAULT_JWT_MAX_LIFETIME_SECONDS, readAuthConfig, type AuthConfig } from './authentication';
import { createHttpApp, type HttpApp } from './create-http-app';
import { mintToken } from './development-token';

const SECRET = 'unit-test-secret-0123456789abcdefghijklmnop';

function configError(env: Record<string, string>): string {
  try {
    loadConfig(readAuthConfig, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('readAuthConfig', () => {
  it('refuses to start without JWT_SECRET or JWT_JWKS_URL, naming both', () => {
    const message = configError({});
    expect(message).toContain('JWT_SECRET');
    expect(message).toContain('JWT_JWKS_URL');
  });

  it('refuses a short secret, both key sources at once, and a JWKS URL that is not http(s)', () => {
    expect(configError({ JWT_SECRET: 'short' })).toContain('JWT_SECRET must be at least 32 characters');
    expect(configError({ JWT_SECRET: SECRET, JWT_JWKS_URL: 'https://idp.example/jwks.json' })).toContain('both set');
    expect(configError({ JWT_JWKS_URL: 'ftp://idp.example/jwks.json' })).toContain('JWT_JWKS_URL');
  });

  it('reads the secret or the JWKS URL, with the issuer and audience when set', () => {
    expect(loadConfig(readAuthConfig, { JWT_SECRET: SECRET })).toEqual({
      kind: 'secret',
      secret: SECRET,
      maxLifetimeSeconds: DEFAULT_JWT_MAX_LIFETIME_SECONDS,
    });
    expect(
      loadConfig(readAuthConfig, {
        JWT_JWKS_URL: 'https://idp.example/.well-known/jwks.json',
        JWT_ISSUER: 'https://idp.example/',
        JWT_AUDIENCE: 'billing',
      }),
    ).toEqual({
      kind: 'jwks',
      jwksUrl: 'https://idp.example/.well-known/jwks.json',
      issuer: 'https://idp.example/',
      audience: 'billing',
      maxLifetimeSeconds: DEFAULT_JWT_MAX_LIFETIME_SECONDS,
    });
  });

  it('bounds token lifetimes by JWT_MAX_LIFETIME_SECONDS (a day by default), 60 s to 30 days', () => {
    expect(DEFAULT_JWT_MAX_LIFETIME_SECONDS).toBe(86_400);
    expect(loadConfig(readAuthConfig, { JWT_SECRET: SECRET, JWT_MAX_LIFETIME_SECONDS: '3600' })).toMatchObject({
      maxLifetimeSeconds: 3_600,
    });
    for (const value of ['0', '59', '2592001', '1h', '-5'])
      expect(configError({ JWT_SECRET: SECRET, JWT_MAX_LIFETIME_SECONDS: value })).toContain(
        'JWT_MAX_LIFETIME_SECONDS',
      );
  });
});

describe('authentication', () => {
  let app: HttpApp;
  const auth: AuthConfig = { kind: 'secret', secret: SECRET, issuer: 'https://idp.example/', audience: 'billing' };
  const claims = { sub: 'user-1', orgs: ['org-a'], iss: 'https://idp.example/', aud: 'billing' };

  beforeAll(async () => {
    app = await createHttpApp({
      service: 'test',
      title: 'test',
      description: 'test',
      log: { level: 'silent', pretty: false },
      metrics: new Registry(),
      readiness: {},
      tags: [],
      auth,
    });
    app.get('/whoami', async (request) => request.caller);
    await app.ready();
  });
  afterAll(() => app.close());

  const whoami = (token?: string) =>
    app.inject({
      method: 'GET',
      url: '/whoami',
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });

  it('sets request.caller from a valid token', async () => {
    const response = await whoami(mintToken(SECRET, { ...claims, roles: ['admin'] }));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ userId: 'user-1', organizations: ['org-a'], roles: ['admin'] });
  });

  it.each([
    ['no token', undefined],
    ['a bad signature', mintToken(`${SECRET}-other`, claims)],
    ['an expired token', mintToken(SECRET, claims, { ttlSeconds: -60 })],
    ['another issuer', mintToken(SECRET, { ...claims, iss: 'https://evil.example/' })],
    ['another audience', mintToken(SECRET, { ...claims, aud: 'other-api' })],
    ['no orgs claim', mintToken(SECRET, { ...claims, orgs: 'org-a' as unknown as string[] })],
    ['not a JWT', 'not-a-jwt'],
    ['a NUL byte in orgs', mintToken(SECRET, { ...claims, orgs: ['org-a', 'org\u0000b'] })],
    ['a lone surrogate in orgs', mintToken(SECRET, { ...claims, orgs: ['org-\uD800'] })],
    ['an empty organization id', mintToken(SECRET, { ...claims, orgs: [''] })],
    ['a NUL byte in sub', mintToken(SECRET, { ...claims, sub: 'user\u0000' })],
    ['a NUL byte in roles', mintToken(SECRET, { ...claims, roles: ['admin\u0000'] })],
    ['no exp (it would never expire)', createSigner({ key: SECRET, algorithm: 'HS256' })(claims)],
    ['a lifetime over the maximum', mintToken(SECRET, claims, { ttlSeconds: DEFAULT_JWT_MAX_LIFETIME_SECONDS + 60 })],
    [
      'no iat and an exp past the maximum from now',
      createSigner({
        key: SECRET,
        algorithm: 'HS256',
        noTimestamp: true,
        expiresIn: (DEFAULT_JWT_MAX_LIFETIME_SECONDS + 60) * 1000,
      })(claims),
    ],
    [
      'an iat in the future hiding a long life',
      mintToken(SECRET, claims, { now: Date.now() + 30 * 86_400_000, ttlSeconds: 60 }),
    ],
  ])('answers 401 problem+json with WWW-Authenticate for %s', async (_name, token) => {
    const response = await whoami(token);
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.headers['content-type']).toContain('application/problem+json');
  });

  it('leaves health, metrics and the OpenAPI document public, and documents bearerAuth', async () => {
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    const openapi = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(openapi.statusCode).toBe(200);
    const document = openapi.json();
    expect(document.components.securitySchemes.bearerAuth).toEqual({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(document.security).toEqual([{ bearerAuth: [] }]);
    expect(document.paths['/health/live'].get.security).toEqual([]);
  });
});

describe('token lifetime', () => {
  let app: HttpApp;
  beforeAll(async () => {
    const auth: AuthConfig = { kind: 'secret', secret: SECRET, maxLifetimeSeconds: 600 };
    app = await createHttpApp({
      service: 'test',
      title: 'test',
      description: 'test',
      log: { level: 'silent', pretty: false },
      metrics: new Registry(),
      readiness: {},
      tags: [],
      auth,
    });
    app.get('/whoami', async (request) => request.caller);
    await app.ready();
  });
  afterAll(() => app.close());
  const status = async (token: string) =>
    (await app.inject({ method: 'GET', url: '/whoami', headers: { authorization: `Bearer ${token}` } })).statusCode;

  it('accepts tokens up to the configured maximum, with or without iat, and refuses longer ones', async () => {
    const claims = { sub: 'user-1', orgs: ['org-a'] };
    expect(await status(mintToken(SECRET, claims, { ttlSeconds: 600 }))).toBe(200);
    expect(await status(mintToken(SECRET, claims, { ttlSeconds: 601 }))).toBe(401);
    // Issued two hours ago for two hours and five minutes: 7,500 s of life, though only 300 s are left.
    expect(await status(mintToken(SECRET, claims, { now: Date.now() - 7_200_000, ttlSeconds: 7_500 }))).toBe(401);
    expect(
      await status(createSigner({ key: SECRET, algorithm: 'HS256', noTimestamp: true, expiresIn: 590_000 })(claims)),
    ).toBe(200);
    expect(
      await status(createSigner({ key: SECRET, algorithm: 'HS256', noTimestamp: true, expiresIn: 700_000 })(claims)),
    ).toBe(401);
  });
});

describe('authentication, verified tokens cached', () => {
  let app: HttpApp;
  beforeAll(async () => {
    app = await createHttpApp({
      service: 'test',
      title: 'test',
      description: 'test',
      log: { level: 'silent', pretty: false },
      metrics: new Registry(),
      readiness: {},
      tags: [],
      auth: { kind: 'secret', secret: SECRET },
    });
    app.get('/whoami', async (request) => request.caller);
    await app.ready();
  });
  afterAll(() => app.close());

  it('refuses a token once it has expired, though it was accepted (and cached) before', async () => {
    const token = mintToken(SECRET, { sub: 'user-1', orgs: ['org-a'] }, { ttlSeconds: 1 });
    const whoami = () => app.inject({ method: 'GET', url: '/whoami', headers: { authorization: `Bearer ${token}` } });
    expect((await whoami()).statusCode).toBe(200);
    expect((await whoami()).statusCode).toBe(200);
    // Wait for the clock to pass the token's `exp` (whole seconds), whatever the machine's load.
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp: number };
    while (Date.now() <= exp * 1_000) await new Promise((resolve) => setTimeout(resolve, exp * 1_000 - Date.now() + 1));
    expect((await whoami()).statusCode).toBe(401);
  });
});

describe('authentication with a JWKS endpoint (RS256)', () => {
  const kid = randomUUID();
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let jwks: Server;
  let jwksRequests = 0;
  let app: HttpApp;

  const sign = (
    key: string,
    header: { kid: string; algorithm: 'RS256' | 'HS256' },
    claims: Record<string, unknown> = { sub: 'user-9', orgs: ['org-j'] },
  ) => createSigner({ key, algorithm: header.algorithm, kid: header.kid, expiresIn: 60_000 })(claims);
  const pem = (key: typeof privateKey) => key.export({ type: 'pkcs8', format: 'pem' }).toString();

  beforeAll(async () => {
    jwks = createServer((request, response) => {
      jwksRequests += 1;
      if (request.url !== '/.well-known/jwks.json') return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] }),
      );
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
    app = await createHttpApp({
      service: 'test',
      title: 'test',
      description: 'test',
      log: { level: 'silent', pretty: false },
      metrics: new Registry(),
      readiness: {},
      tags: [],
      auth: { kind: 'jwks', jwksUrl },
    });
    app.get('/whoami', async (request) => request.caller);
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await new Promise((resolve) => jwks.close(resolve));
  });

  const whoami = (token: string) =>
    app.inject({ method: 'GET', url: '/whoami', headers: { authorization: `Bearer ${token}` } });

  it('accepts a token signed with the published key, fetching the key set once', async () => {
    const token = sign(pem(privateKey), { kid, algorithm: 'RS256' });
    const first = await whoami(token);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ userId: 'user-9', organizations: ['org-j'], roles: [] });
    expect(
      (await whoami(sign(pem(privateKey), { kid, algorithm: 'RS256' }, { sub: 'user-10', orgs: ['org-k'] }))).json(),
    ).toMatchObject({ userId: 'user-10' });
    expect(jwksRequests).toBe(1);
  });

  it('refuses another key under the same kid, an unknown kid, and an HS256 token (no algorithm confusion)', async () => {
    for (const token of [
      sign(pem(other.privateKey), { kid, algorithm: 'RS256' }),
      sign(pem(privateKey), { kid: 'unknown-kid', algorithm: 'RS256' }),
      sign(publicKey.export({ type: 'spki', format: 'pem' }).toString(), { kid, algorithm: 'HS256' }),
    ]) {
      const response = await whoami(token);
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
    }
  });
});
