import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Redis from 'ioredis';
import { ApplicationError } from './application-error';
import { isPublicPath } from './authentication';
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

/** Runs the limiter for a request that failed authentication (it is counted against its IP address). */
export type UnauthenticatedLimiter = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * Authenticated callers are counted by token subject (all their tokens and organizations share one
 * budget, whichever instance serves them); requests without a valid token by IP address, so
 * guessing tokens is limited too.
 */
const callerKey = (request: FastifyRequest): string => (request.caller ? `user:${request.caller.userId}` : `ip:${request.ip}`);

/**
 * Fixed-window rate limits (@fastify/rate-limit) on every route but health, metrics and docs: over
 * the limit a request gets a 429 problem+json with Retry-After (and X-RateLimit-* headers on every
 * limited answer). Must be registered after authentication: its hook needs `request.caller`.
 *
 * Fails OPEN: `skipOnError` lets requests through when Redis is down or slower than its command
 * timeout. A broken Redis then lifts the limits for a while instead of turning every request into a
 * 500; the limits protect capacity, they are not an authorization boundary.
 *
 * Returns the limiter for requests that never reached it because authentication rejected them.
 */
export async function registerRateLimiting(app: FastifyInstance, options: RateLimitOptions): Promise<UnauthenticatedLimiter> {
  const windowSeconds = Math.max(1, Math.round(options.windowMs / 1000));
  await app.register(rateLimit, {
    global: false,
    max: options.max,
    timeWindow: options.windowMs,
    skipOnError: true,
    // Counted in Redis, leased in slices (see leasedRedisRateLimitStore): not one Redis call per request.
    ...(options.store ? { store: leasedRedisRateLimitStore(options.store.redis, `${options.store.keyPrefix}rate-limit:${options.service}:`) } : {}),
    keyGenerator: callerKey,
    errorResponseBuilder: (_request, context) =>
      new ApplicationError('RATE_LIMITED', `rate limit of ${context.max} requests per ${windowSeconds} s reached: retry in ${context.after}`, [], {
        'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))),
      }),
  });
  const limit = app.rateLimit();
  const limitRequest = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (isPublicPath(request.url)) return;
    await limit.call(app, request, reply);
  };
  app.addHook('onRequest', limitRequest);
  return limitRequest;
}
