import { createHmac } from 'node:crypto';

/**
 * DEVELOPMENT ONLY: the HS256 secret `npm start` and `npm run token` use when JWT_SECRET is not set.
 * It is public (it is in the repository): never configure it in production.
 */
export const DEV_JWT_SECRET = 'gyroscops-development-only-secret-do-not-use-in-production';

export interface TokenClaims {
  sub: string;
  orgs: string[];
  roles?: string[];
  iss?: string;
  aud?: string;
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * Signs an HS256 JWT with the given claims, `iat` now and `exp` after `ttlSeconds` (negative for an
 * already expired token, in tests). For development tokens and tests: production tokens come from the
 * identity provider.
 */
export function mintToken(
  secret: string,
  claims: TokenClaims,
  options: { ttlSeconds?: number; now?: number } = {},
): string {
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const payload = { ...claims, iat, exp: iat + (options.ttlSeconds ?? 3600) };
  const unsigned = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}
