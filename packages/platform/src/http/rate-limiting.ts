import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Redis from 'ioredis';
import { ApplicationError } from './application-error';
import { leasedRedisRateLimitStore } from './leased-rate-limit-store';

export interface RateLimitOptions {
  /** Requests per caller per window. */
  max: number;
  windowMs: number;
  /**
   * Shared counters, so a limit holds across every instance of the service. Absent: counters in
   * this process (one instance, tests).
   */
  store?: { redis: Redis; keyPrefix: string };
  /** Keeps the two APIs' budgets apart when they share a Redis. */
  service: string;
}

/**
 * Counts a request against its caller's budget (its IP address when authentication failed), at most
 * once per request; sets the RateLimit fields, or throws the 429. Public paths (health, metrics,
 * docs) are never passed to it.
 */
export type RequestLimiter = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once the request is counted against a rate-limit budget: a request is never counted twice. */
    rateLimitCounted: boolean;
  }
}

/**
 * The response fields of draft-ietf-httpapi-ratelimit-headers (structured fields, RFC 9651):
 * `RateLimit-Policy: "default";q=<quota>;w=<window seconds>` and
 * `RateLimit: "default";r=<remaining>;t=<seconds until the window resets>`. They replace the
 * X-RateLimit-Limit/Remaining/Reset headers the plugin sends by default, which no standard defines.
 */
export const RATE_LIMIT_HEADER = 'RateLimit';
export const RATE_LIMIT_POLICY_HEADER = 'RateLimit-Policy';
/** The one policy of both APIs (a fixed window per caller); its name ties RateLimit to RateLimit-Policy. */
const POLICY_NAME = '"default"';

/**
 * Authenticated callers are counted by token subject (all their tokens and organizations share one
 * budget, whichever instance serves them); requests without a valid token by IP address, so
 * guessing tokens is limited too.
 */
const callerKey = (request: FastifyRequest): string =>
  request.caller ? `user:${request.caller.userId}` : `ip:${request.ip}`;

/**
 * Fixed-window rate limits (@fastify/rate-limit's counting, with our own answer) for every route
 * but health, metrics and docs. Every counted answer carries `RateLimit-Policy` and `RateLimit`;
 * over the limit the request gets a 429 problem+json with `Retry-After` (the same seconds as
 * RateLimit's `t`). Returns the limiter, which the app runs in its authentication hook, after
 * `request.caller` is set (and in its error handler for requests authentication rejected).
 *
 * Fails OPEN: `skipOnError` lets requests through when Redis is down or slower than its command
 * timeout. A broken Redis then lifts the limits for a while instead of turning every request into a
 * 500; the limits protect capacity, they are not an authorization boundary. Such answers carry no
 * RateLimit headers: nothing is known about the budget then.
 *
 */
export async function registerRateLimiting(app: FastifyInstance, options: RateLimitOptions): Promise<RequestLimiter> {
  const windowSeconds = Math.max(1, Math.round(options.windowMs / 1000));
  await app.register(rateLimit, {
    global: false,
    max: options.max,
    timeWindow: options.windowMs,
    skipOnError: true,
    // Counted in Redis, leased in slices (see leasedRedisRateLimitStore): not one Redis call per request.
    ...(options.store
      ? {
          store: leasedRedisRateLimitStore(
            options.store.redis,
            `${options.store.keyPrefix}rate-limit:${options.service}:`,
          ),
        }
      : {}),
    keyGenerator: callerKey,
  });
  // The plugin's counting without its answer: the result carries what the RateLimit fields need.
  // No options: a limiter with options would count in a child store under another key.
  const count = app.createRateLimit();
  const policy = `${POLICY_NAME};q=${options.max};w=${windowSeconds}`;

  app.decorateRequest('rateLimitCounted', false);
  const limitRequest = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (request.rateLimitCounted) return;
    request.rateLimitCounted = true;
    const result = await count(request);
    // A count is at least 1, so a full budget means the store did not answer (skipOnError): fail open.
    if (result.isAllowed || (!result.isExceeded && result.remaining >= result.max)) return;
    const resetSeconds = Math.max(1, Math.ceil(result.ttl / 1000));
    const headers = {
      [RATE_LIMIT_POLICY_HEADER]: policy,
      [RATE_LIMIT_HEADER]: `${POLICY_NAME};r=${result.remaining};t=${resetSeconds}`,
    };
    if (!result.isExceeded) {
      reply.headers(headers);
      return;
    }
    throw new ApplicationError(
      'RATE_LIMITED',
      `rate limit of ${options.max} requests per ${windowSeconds} s reached: retry in ${resetSeconds} s`,
      [],
      {
        ...headers,
        'retry-after': String(resetSeconds),
      },
    );
  };
  return limitRequest;
}

/** The parts of an OpenAPI operation that documenting the RateLimit fields reads. */
type OpenApiOperationWithResponses = {
  security?: unknown[];
  responses?: Record<string, { headers?: Record<string, unknown> }>;
};

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);

/** The two fields as reusable OpenAPI header objects (components.headers). */
const RATE_LIMIT_HEADER_DOCS = {
  [RATE_LIMIT_HEADER]: {
    description:
      'What is left of the caller\'s budget in the current window (draft-ietf-httpapi-ratelimit-headers): `"default";r=<requests remaining>;t=<seconds until the window resets>`. On every answer counted against the budget while the rate-limit store answers. Replaces the X-RateLimit-Limit/Remaining/Reset headers.',
    schema: { type: 'string', examples: ['"default";r=42;t=17'] },
  },
  [RATE_LIMIT_POLICY_HEADER]: {
    description:
      'The caller\'s quota (draft-ietf-httpapi-ratelimit-headers): `"default";q=<requests per window>;w=<window in seconds>`, counted per token subject (per IP address for requests that fail authentication). Sent with RateLimit.',
    schema: { type: 'string', examples: ['"default";q=100;w=60'] },
  },
};

/**
 * The OpenAPI document with `RateLimit` and `RateLimit-Policy` declared on every response of every
 * rate-limited operation (all but those with `security: []`: health, metrics). For @fastify/swagger's
 * `transformObject`: routes declare their own responses, the limiter adds its headers to all of them.
 */
export function documentRateLimitHeaders<T extends { components?: object; paths?: object }>(document: T): T {
  const reference = (name: string) => ({ $ref: `#/components/headers/${name}` });
  const components = document.components as { headers?: object } | undefined;
  const paths = Object.fromEntries(
    Object.entries(document.paths ?? {}).map(([path, item]: [string, object]) => [
      path,
      Object.fromEntries(
        Object.entries(item).map(([method, value]) => {
          const operation = value as OpenApiOperationWithResponses;
          const limited =
            HTTP_METHODS.has(method) && !(Array.isArray(operation.security) && operation.security.length === 0);
          if (!limited || !operation.responses) return [method, value];
          const responses = Object.fromEntries(
            Object.entries(operation.responses).map(([status, response]) => [
              status,
              {
                ...response,
                headers: {
                  ...response.headers,
                  [RATE_LIMIT_HEADER]: reference(RATE_LIMIT_HEADER),
                  [RATE_LIMIT_POLICY_HEADER]: reference(RATE_LIMIT_POLICY_HEADER),
                },
              },
            ]),
          );
          return [method, { ...operation, responses }];
        }),
      ),
    ]),
  );
  return {
    ...document,
    components: { ...components, headers: { ...components?.headers, ...RATE_LIMIT_HEADER_DOCS } },
    paths,
  };
}
