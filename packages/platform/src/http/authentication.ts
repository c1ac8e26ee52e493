import { createVerifier } from 'fast-jwt';
import type { FastifyRequest } from 'fastify';
import buildGetJwks from 'get-jwks';
import { isSafeString } from '@gyroscops/contracts';
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
  /** Longest a token may live, in seconds (`exp` − `iat`); DEFAULT_JWT_MAX_LIFETIME_SECONDS when absent. */
  maxLifetimeSeconds?: number;
};

/**
 * A day: longer than the access tokens identity providers issue (an hour is usual) and than the
 * development token (12 hours), short enough that a leaked token does not work for weeks.
 */
export const DEFAULT_JWT_MAX_LIFETIME_SECONDS = 24 * 3600;
const MIN_JWT_MAX_LIFETIME_SECONDS = 60;
const MAX_JWT_MAX_LIFETIME_SECONDS = 30 * 24 * 3600;

/** Below this an HS256 secret can be brute-forced. */
const MIN_SECRET_LENGTH = 32;

/**
 * JWT_SECRET (HS256) or JWT_JWKS_URL (RS256/ES256 keys from a JWKS endpoint), JWT_ISSUER,
 * JWT_AUDIENCE and JWT_MAX_LIFETIME_SECONDS. Neither key source set is a configuration error: the
 * services never run open.
 */
export function readAuthConfig(reader: EnvReader): AuthConfig {
  const secret = reader.optionalString('JWT_SECRET');
  const jwksUrl = reader.optionalString('JWT_JWKS_URL');
  const issuer = reader.optionalString('JWT_ISSUER');
  const audience = reader.optionalString('JWT_AUDIENCE');
  const maxLifetimeSeconds = readMaxTokenLifetime(reader);
  const checks = { ...(issuer ? { issuer } : {}), ...(audience ? { audience } : {}), maxLifetimeSeconds };
  if (secret !== undefined && jwksUrl !== undefined) {
    reader.problem('JWT_SECRET and JWT_JWKS_URL are both set: configure exactly one way to verify bearer tokens');
  }
  if (jwksUrl !== undefined) {
    return { kind: 'jwks', jwksUrl: reader.url('JWT_JWKS_URL', jwksUrl, ['https:', 'http:']), ...checks };
  }
  if (secret === undefined) {
    reader.problem(
      'JWT_SECRET or JWT_JWKS_URL must be set: every route but health, metrics and docs needs a bearer token (the service never runs without authentication)',
    );
    return { kind: 'secret', secret: '', ...checks };
  }
  if (secret.length < MIN_SECRET_LENGTH) reader.problem(`JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
  return { kind: 'secret', secret, ...checks };
}

/**
 * JWT_MAX_LIFETIME_SECONDS: the longest lifetime (`exp` − `iat`) a token may claim, 60 s to 30 days.
 * `npm run token` reads it too, so the tokens it mints are always accepted.
 */
export function readMaxTokenLifetime(reader: EnvReader): number {
  return reader.integer('JWT_MAX_LIFETIME_SECONDS', DEFAULT_JWT_MAX_LIFETIME_SECONDS, {
    min: MIN_JWT_MAX_LIFETIME_SECONDS,
    max: MAX_JWT_MAX_LIFETIME_SECONDS,
  });
}

/** Routes that need no token: probes, metrics and the API documents. */
export function isPublicPath(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return (
    path.startsWith('/health/') ||
    path === '/metrics' ||
    path === '/openapi.json' ||
    path === '/docs' ||
    path.startsWith('/docs/')
  );
}

const BEARER = /^Bearer\s+(\S+)$/i;

const unauthorized = (detail: string) =>
  new ApplicationError('UNAUTHORIZED', detail, [], { 'www-authenticate': 'Bearer' });

/**
 * A claim's text follows the rules of every string the API accepts (contracts' SafeString): a token
 * is input too, and its `sub` and `orgs` reach SQL, events and cache keys. Organization ids are as
 * long as the schemas allow them, and a token names a bounded number of them.
 */
const SUBJECT_MAX_LENGTH = 200;
const CLAIM_ITEM_MAX_LENGTH = 100;
const CLAIM_MAX_ITEMS = 1_000;

const isClaimText = (value: unknown, maxLength: number): value is string =>
  isSafeString(value) && value.length > 0 && value.length <= maxLength;
const isClaimList = (value: unknown): value is string[] =>
  Array.isArray(value) &&
  value.length <= CLAIM_MAX_ITEMS &&
  value.every((item) => isClaimText(item, CLAIM_ITEM_MAX_LENGTH));

/** The caller of a verified payload; 401 when its claims do not have the documented shape. */
export function callerOfClaims(payload: unknown): Caller {
  const claims = (typeof payload === 'object' && payload !== null ? payload : {}) as {
    sub?: unknown;
    orgs?: unknown;
    roles?: unknown;
  };
  if (!isClaimText(claims.sub, SUBJECT_MAX_LENGTH))
    throw unauthorized(
      `the token has no valid \`sub\` claim (1 to ${SUBJECT_MAX_LENGTH} characters, no NUL or lone surrogate)`,
    );
  if (!isClaimList(claims.orgs))
    throw unauthorized(
      `the token has no valid \`orgs\` claim (an array of at most ${CLAIM_MAX_ITEMS} organization ids of 1 to ${CLAIM_ITEM_MAX_LENGTH} characters)`,
    );
  if (claims.roles !== undefined && !isClaimList(claims.roles))
    throw unauthorized(
      `the token \`roles\` claim must be an array of at most ${CLAIM_MAX_ITEMS} names of 1 to ${CLAIM_ITEM_MAX_LENGTH} characters`,
    );
  return { userId: claims.sub, organizations: [...claims.orgs], roles: claims.roles ? [...claims.roles] : [] };
}

/**
 * 401 unless the token expires within `maxLifetimeSeconds` of when it was issued. Without `iat`, or
 * with an `iat` in the future, the lifetime counts from now: a token can never be good for longer
 * than the maximum from the moment it is presented. (`exp` itself is required by the verifier.)
 */
export function assertTokenLifetime(payload: unknown, maxLifetimeSeconds: number, nowMs = Date.now()): void {
  const { exp, iat } = (typeof payload === 'object' && payload !== null ? payload : {}) as {
    exp?: unknown;
    iat?: unknown;
  };
  if (typeof exp !== 'number' || !Number.isFinite(exp))
    throw unauthorized('the token has no `exp` claim: every token must expire');
  const now = nowMs / 1000;
  const issuedAt = typeof iat === 'number' && Number.isFinite(iat) ? Math.min(iat, now) : now;
  if (exp - issuedAt > maxLifetimeSeconds)
    throw unauthorized(
      `the token lives longer than the ${maxLifetimeSeconds} seconds this service accepts (exp - iat)`,
    );
}

/** 403 unless the caller has the role. */
export function requireRole(request: FastifyRequest, role: string): void {
  if (!request.caller.roles.includes(role))
    throw new ApplicationError('FORBIDDEN', `this route needs the ${role} role`);
}

/** 403 unless the caller may act on the organization. */
export function requireOrganization(request: FastifyRequest, organizationId: string): void {
  if (!request.caller.organizations.includes(organizationId))
    throw new ApplicationError('FORBIDDEN', `you may not access organization ${organizationId}`);
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
 * JSON parse, and gives back the same payload object. Failures are not cached. With a shared secret
 * the check is synchronous; with a JWKS endpoint it may wait for a key.
 */
function createTokenVerifier(config: AuthConfig): (token: string) => unknown {
  const common = {
    ...(config.issuer ? { allowedIss: config.issuer } : {}),
    ...(config.audience ? { allowedAud: config.audience } : {}),
    cache: VERIFIED_TOKEN_CACHE_SIZE,
    cacheTTL: VERIFIED_TOKEN_TTL_MS,
    // The token itself is the key: fast-jwt's default hashes it (SHA-256) on every request, which
    // profiled at ~3% of a cached read; 10,000 tokens of ~1 KB is ~10 MB at most.
    cacheKeyBuilder: (token: string) => token,
    // A token without `exp` would never expire (fast-jwt only checks `exp` when it is there).
    requiredClaims: ['exp'],
  };
  if (config.kind === 'secret') return createVerifier({ ...common, key: config.secret, algorithms: ['HS256'] });
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

/** Sets `request.caller` from the bearer token, or throws a 401; synchronous when nothing has to be awaited. */
export type Authenticator = (request: FastifyRequest) => void | Promise<void>;

/**
 * Bearer-token authentication for every route but the public ones (the caller checks
 * `isPublicPath`): verifies the JWT (signature, expiry, and issuer/audience when configured), then
 * its lifetime and claims, and sets `request.caller`. Any failure is a 401 problem+json with
 * `WWW-Authenticate: Bearer`.
 *
 * The lifetime and claim checks (the SafeString rule on every `sub`, `orgs` and `roles` item) run
 * once per verified token: their Caller is remembered with the payload fast-jwt caches, so a repeated
 * token costs two map lookups. (A lifetime check that passed once passes later too: it only grows
 * more lenient as time goes by.) The Caller is frozen: every request of the token shares it.
 */
export function createAuthenticator(config: AuthConfig): Authenticator {
  const verifyToken = createTokenVerifier(config);
  const maxLifetimeSeconds = config.maxLifetimeSeconds ?? DEFAULT_JWT_MAX_LIFETIME_SECONDS;
  const callers = new WeakMap<object, Caller>();
  const callerOf = (payload: unknown): Caller => {
    const known = typeof payload === 'object' && payload !== null ? callers.get(payload) : undefined;
    if (known) return known;
    assertTokenLifetime(payload, maxLifetimeSeconds);
    const caller = callerOfClaims(payload);
    Object.freeze(caller.organizations);
    Object.freeze(caller.roles);
    Object.freeze(caller);
    if (typeof payload === 'object' && payload !== null) callers.set(payload, caller);
    return caller;
  };
  const invalid = (error: unknown) => unauthorized(`invalid bearer token: ${(error as Error).message}`);
  return (request) => {
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (token === undefined) throw unauthorized('a bearer token is required (Authorization: Bearer <JWT>)');
    let payload: unknown;
    try {
      payload = verifyToken(token);
    } catch (error) {
      throw invalid(error);
    }
    if (payload instanceof Promise)
      return payload.then(
        (verified: unknown) => {
          request.caller = callerOf(verified);
        },
        (error: unknown) => {
          throw invalid(error);
        },
      );
    request.caller = callerOf(payload);
  };
}
