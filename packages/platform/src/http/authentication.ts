import { createVerifier } from 'fast-jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import buildGetJwks from 'get-jwks';
import type { EnvReader } from '../config/env-reader';
import { ApplicationError } from './application-error';

/** Who is calling, from the verified bearer token: `sub`, `orgs` and `roles`. */
export interface Caller {
  userId: string;
  /** Organizations the caller may read and act on (`orgs` claim). */
  organizations: string[];
  /** `admin` may run projection admin actions and platform-wide aggregates. */
  roles: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; set on every route but the public ones (health, metrics, docs, openapi.json). */
    caller: Caller;
  }
}

/** How bearer tokens are verified: an HS256 shared secret (development, tests) or a JWKS endpoint (production). */
export type AuthConfig = ({ kind: 'secret'; secret: string } | { kind: 'jwks'; jwksUrl: string }) & {
  issuer?: string;
  audience?: string;
};

/** Below this an HS256 secret can be brute-forced. */
const MIN_SECRET_LENGTH = 32;

/**
 * JWT_SECRET (HS256) or JWT_JWKS_URL (RS256/ES256 keys from a JWKS endpoint), JWT_ISSUER and
 * JWT_AUDIENCE. Neither key source set is a configuration error: the services never run open.
 */
export function readAuthConfig(reader: EnvReader): AuthConfig {
  const secret = reader.optionalString('JWT_SECRET');
  const jwksUrl = reader.optionalString('JWT_JWKS_URL');
  const issuer = reader.optionalString('JWT_ISSUER');
  const audience = reader.optionalString('JWT_AUDIENCE');
  const claims = { ...(issuer ? { issuer } : {}), ...(audience ? { audience } : {}) };
  if (secret !== undefined && jwksUrl !== undefined) {
    reader.problem('JWT_SECRET and JWT_JWKS_URL are both set: configure exactly one way to verify bearer tokens');
  }
  if (jwksUrl !== undefined) {
    return { kind: 'jwks', jwksUrl: reader.url('JWT_JWKS_URL', jwksUrl, ['https:', 'http:']), ...claims };
  }
  if (secret === undefined) {
    reader.problem('JWT_SECRET or JWT_JWKS_URL must be set: every route but health, metrics and docs needs a bearer token (the service never runs without authentication)');
    return { kind: 'secret', secret: '', ...claims };
  }
  if (secret.length < MIN_SECRET_LENGTH) reader.problem(`JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
  return { kind: 'secret', secret, ...claims };
}

/** Routes that need no token: probes, metrics and the API documents. */
export function isPublicPath(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return path.startsWith('/health/') || path === '/metrics' || path === '/openapi.json' || path === '/docs' || path.startsWith('/docs/');
}

const BEARER = /^Bearer\s+(\S+)$/i;

const unauthorized = (detail: string) => new ApplicationError('UNAUTHORIZED', detail, [], { 'www-authenticate': 'Bearer' });

const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string' && item.length > 0);

/** The caller of a verified payload; 401 when its claims do not have the documented shape. */
export function callerOfClaims(payload: unknown): Caller {
  const claims = (typeof payload === 'object' && payload !== null ? payload : {}) as { sub?: unknown; orgs?: unknown; roles?: unknown };
  if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > 200) throw unauthorized('the token has no valid `sub` claim');
  if (!isStringArray(claims.orgs)) throw unauthorized('the token has no valid `orgs` claim (an array of organization ids)');
  if (claims.roles !== undefined && !isStringArray(claims.roles)) throw unauthorized('the token `roles` claim must be an array of strings');
  return { userId: claims.sub, organizations: [...claims.orgs], roles: claims.roles ? [...claims.roles] : [] };
}

/** 403 unless the caller has the role. */
export function requireRole(request: FastifyRequest, role: string): void {
  if (!request.caller.roles.includes(role)) throw new ApplicationError('FORBIDDEN', `this route needs the ${role} role`);
}

/** 403 unless the caller may act on the organization. */
export function requireOrganization(request: FastifyRequest, organizationId: string): void {
  if (!request.caller.organizations.includes(organizationId)) throw new ApplicationError('FORBIDDEN', `you may not access organization ${organizationId}`);
}

/** Whether the caller may see data of the organization (for 404s that must not leak existence). */
export function canSee(request: FastifyRequest, organizationId: string | null | undefined): boolean {
  return typeof organizationId === 'string' && request.caller.organizations.includes(organizationId);
}

/** Verified tokens remembered per instance (until their `exp`, at most VERIFIED_TOKEN_TTL_MS). */
const VERIFIED_TOKEN_CACHE_SIZE = 10_000;
const VERIFIED_TOKEN_TTL_MS = 10 * 60_000;

/**
 * The token verifier: fast-jwt, checking the signature, `exp`/`nbf`, and issuer/audience when set.
 * A caller sends the same token on every request, so verified payloads are cached (keyed by the whole
 * token, bounded by its expiry): a repeated token costs a map lookup, not a signature check and a
 * JSON parse. Failures are not cached.
 */
function createTokenVerifier(config: AuthConfig): (token: string) => Promise<unknown> {
  const common = {
    ...(config.issuer ? { allowedIss: config.issuer } : {}),
    ...(config.audience ? { allowedAud: config.audience } : {}),
    cache: VERIFIED_TOKEN_CACHE_SIZE,
    cacheTTL: VERIFIED_TOKEN_TTL_MS,
    // The token itself is the key: fast-jwt's default hashes it (SHA-256) on every request, which
    // profiled at ~3% of a cached read; 10,000 tokens of ~1 KB is ~10 MB at most.
    cacheKeyBuilder: (token: string) => token,
  };
  if (config.kind === 'secret') {
    const verify = createVerifier({ ...common, key: config.secret, algorithms: ['HS256'] });
    return async (token) => verify(token);
  }
  const url = new URL(config.jwksUrl);
  const getJwks = buildGetJwks({ jwksPath: url.pathname, ttl: 10 * 60_000 });
  const verify = createVerifier({
    ...common,
    algorithms: ['RS256', 'ES256', 'PS256'],
    key: async (decoded: { header: { kid?: string; alg?: string } }) =>
      getJwks.getPublicKey({ domain: url.origin, kid: decoded.header.kid ?? '', alg: decoded.header.alg ?? '' }),
  });
  return async (token) => verify(token);
}

/**
 * Bearer-token authentication on every route but the public ones: verifies the JWT (signature,
 * expiry, and issuer/audience when configured) and sets `request.caller`. Any failure is a 401
 * problem+json with `WWW-Authenticate: Bearer`.
 */
export const authentication = fp(
  async (app: FastifyInstance, config: AuthConfig) => {
    const verifyToken = createTokenVerifier(config);
    app.decorateRequest('caller', null as unknown as Caller);
    app.addHook('onRequest', async (request) => {
      if (isPublicPath(request.url)) return;
      const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
      if (token === undefined) throw unauthorized('a bearer token is required (Authorization: Bearer <JWT>)');
      let payload: unknown;
      try {
        payload = await verifyToken(token);
      } catch (error) {
        throw unauthorized(`invalid bearer token: ${(error as Error).message}`);
      }
      request.caller = callerOfClaims(payload);
    });
  },
  { name: 'authentication' },
);
