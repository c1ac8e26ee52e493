import { assertTokenLifetime, callerOfClaims, DEFAULT_JWT_MAX_LIFETIME_SECONDS } from '@gyroscops/platform';
import { developmentToken, maxTokenLifetime, parseTokenArguments } from './token.command';

const SECRET = 'token-command-test-secret-0123456789abcdef';
const payloadOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

describe('npm run token', () => {
  it('mints a token the APIs accept: exp within the maximum lifetime, claims they take', () => {
    const payload = payloadOf(developmentToken(parseTokenArguments(['--org', 'org-1', '--admin'], 3600), SECRET, 3600));
    expect(payload).toMatchObject({
      sub: 'dev-user',
      orgs: ['org-1'],
      roles: ['admin'],
      exp: expect.any(Number),
      iat: expect.any(Number),
    });
    expect(() => assertTokenLifetime(payload, 3600)).not.toThrow();
    expect(callerOfClaims(payload)).toEqual({ userId: 'dev-user', organizations: ['org-1'], roles: ['admin'] });
  });

  it('reads the maximum as the APIs do: JWT_MAX_LIFETIME_SECONDS, a day by default', () => {
    expect(maxTokenLifetime({})).toBe(DEFAULT_JWT_MAX_LIFETIME_SECONDS);
    expect(maxTokenLifetime({ JWT_MAX_LIFETIME_SECONDS: '600' })).toBe(600);
    expect(() => maxTokenLifetime({ JWT_MAX_LIFETIME_SECONDS: 'forever' })).toThrow(/JWT_MAX_LIFETIME_SECONDS/);
  });

  it('refuses a --ttl over the maximum, and ids the APIs would refuse in a token', () => {
    expect(parseTokenArguments(['--org', 'org-1', '--ttl', '600'], 600).ttlSeconds).toBe(600);
    expect(() => parseTokenArguments(['--org', 'org-1', '--ttl', '601'], 600)).toThrow(/at most 600 seconds/);
    expect(() => parseTokenArguments(['--org', 'org\u0000x'], 600)).toThrow(/orgs/);
    expect(() => parseTokenArguments(['--org', 'org-1', '--sub', 's'.repeat(201)], 600)).toThrow(/sub/);
  });

  it("cuts the development token's lifetime (12 hours under npm start) to a lower maximum", () => {
    const payload = payloadOf(
      developmentToken(
        { organizations: ['org-demo'], admin: true, subject: 'dev-user', ttlSeconds: 12 * 3600 },
        SECRET,
        3600,
      ),
    );
    expect(Number(payload.exp) - Number(payload.iat)).toBe(3600);
    expect(() => assertTokenLifetime(payload, 3600)).not.toThrow();
  });
});
