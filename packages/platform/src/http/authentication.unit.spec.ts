import { Registry } from 'prom-client';
import { ConfigError } from '../config/env-reader';
import { loadConfig } from '../config/platform-config';
import { readAuthConfig, type AuthConfig } from './authentication';
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
    expect(loadConfig(readAuthConfig, { JWT_SECRET: SECRET })).toEqual({ kind: 'secret', secret: SECRET });
    expect(loadConfig(readAuthConfig, { JWT_JWKS_URL: 'https://idp.example/.well-known/jwks.json', JWT_ISSUER: 'https://idp.example/', JWT_AUDIENCE: 'billing' })).toEqual({
      kind: 'jwks',
      jwksUrl: 'https://idp.example/.well-known/jwks.json',
      issuer: 'https://idp.example/',
      audience: 'billing',
    });
  });
});

describe('authentication', () => {
  let app: HttpApp;
  const auth: AuthConfig = { kind: 'secret', secret: SECRET, issuer: 'https://idp.example/', audience: 'billing' };
  const claims = { sub: 'user-1', orgs: ['org-a'], iss: 'https://idp.example/', aud: 'billing' };

  beforeAll(async () => {
    app = await createHttpApp({ service: 'test', title: 'test', description: 'test', log: { level: 'silent', pretty: false }, metrics: new Registry(), readiness: {}, tags: [], auth });
    app.get('/whoami', async (request) => request.caller);
    await app.ready();
  });
  afterAll(() => app.close());

  const whoami = (token?: string) => app.inject({ method: 'GET', url: '/whoami', headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

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
    expect(document.components.securitySchemes.bearerAuth).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(document.security).toEqual([{ bearerAuth: [] }]);
    expect(document.paths['/health/live'].get.security).toEqual([]);
  });
});
