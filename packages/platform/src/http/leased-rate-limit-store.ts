import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type Redis from 'ioredis';

/**
 * Takes `lease` requests of a window's budget at once: INCRBY, and the window's expiry when this
 * call opened it. Answers the count after the lease and the window's remaining milliseconds.
 */
const LEASE_SCRIPT = `
  local count = redis.call('INCRBY', KEYS[1], ARGV[1])
  if count == tonumber(ARGV[1]) then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return {count, tonumber(ARGV[2])}
  end
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    ttl = tonumber(ARGV[2])
  end
  return {count, ttl}
`;

/**
 * A lease takes at most this share of what the caller has left in the window (as last seen), so the
 * requests other instances hold but never use cost a caller at most 1/16 of its budget each.
 */
const LEASE_SHARE = 16;
/** At most this many requests per Redis call. */
const MAX_LEASE = 100;
/** Forget windows that ended once this many callers are tracked. */
const PRUNE_ABOVE = 10_000;

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

interface Lease {
  /** The window's count before this lease: the requests counted elsewhere or earlier. */
  base: number;
  /** Requests of this lease handed out so far. */
  used: number;
  size: number;
  windowEndsAt: number;
}

/** The window's count after a lease, as Redis said. */
const countAfter = (lease: Lease) => lease.base + lease.size;

type RedisWithLease = Redis & {
  rateLimitLease(
    key: string,
    lease: number,
    windowMs: number,
    callback: (error: Error | null, result: [number, number]) => void,
  ): void;
};

/**
 * A store for @fastify/rate-limit (its `store` option) that counts in Redis, shared by every
 * instance, without a Redis call per request: each instance leases a slice of a caller's window
 * budget (INCRBY n) and hands it out locally. Near the limit the slices shrink to one request, so
 * the last requests of a budget are counted one by one in Redis, exactly as the plain Redis store
 * does; far from it one call serves up to 100 requests. Unused leased requests count as spent (the
 * window ends early for that caller by at most a sixteenth of what was left per instance).
 *
 * The answer of a request is its rank in the window: the lease's base plus its rank in the lease, so
 * the remaining budget (RateLimit's `r`) counts down request by request on one instance.
 */
export function leasedRedisRateLimitStore(redis: Redis, namespace: string): FastifyRateLimitStoreCtor {
  const client = redis as RedisWithLease;
  if (typeof client.rateLimitLease !== 'function')
    redis.defineCommand('rateLimitLease', { numberOfKeys: 1, lua: LEASE_SCRIPT });

  class LeasedRedisStore implements FastifyRateLimitStore {
    private readonly leases = new Map<string, Lease>();
    /** Requests waiting for a lease being fetched, by caller. */
    private readonly pending = new Map<string, Callback[]>();

    constructor(
      _globalParams?: unknown,
      private readonly keyPrefix = namespace,
    ) {}

    incr(key: string, callback: Callback, timeWindow: number, max: number): void {
      const now = Date.now();
      const lease = this.leases.get(key);
      if (lease && now < lease.windowEndsAt) {
        if (lease.used < lease.size) {
          lease.used += 1;
          return callback(null, { current: lease.base + lease.used, ttl: lease.windowEndsAt - now });
        }
        // The window's budget is spent: no need to ask Redis again before the window ends.
        if (countAfter(lease) >= max)
          return callback(null, { current: countAfter(lease) + 1, ttl: lease.windowEndsAt - now });
      }
      const waiting = this.pending.get(key);
      if (waiting) {
        waiting.push(callback);
        return;
      }
      this.lease(key, lease && now < lease.windowEndsAt ? countAfter(lease) : undefined, timeWindow, max, callback);
    }

    child(routeOptions: { method: string | string[]; url: string }): LeasedRedisStore {
      const route = (routeOptions as { routeInfo?: { method: string; url: string } }).routeInfo ?? routeOptions;
      return new LeasedRedisStore(undefined, `${this.keyPrefix}${String(route.method)}${route.url}-`);
    }

    /** Leases a slice sized from the count last seen (one request when nothing is known). */
    private lease(key: string, lastCount: number | undefined, timeWindow: number, max: number, first: Callback): void {
      const size =
        lastCount === undefined ? 1 : Math.max(1, Math.min(MAX_LEASE, Math.floor((max - lastCount) / LEASE_SHARE)));
      const waiting = [first];
      this.pending.set(key, waiting);
      client.rateLimitLease(this.keyPrefix + key, size, timeWindow, (error, result) => {
        this.pending.delete(key);
        if (error) {
          for (const callback of waiting) callback(error);
          return;
        }
        const [count, ttl] = result;
        this.prune();
        this.leases.set(key, { base: count - size, used: 0, size, windowEndsAt: Date.now() + ttl });
        // Everyone who waited for this lease asks again: served from it, or by the next lease.
        for (const callback of waiting) this.incr(key, callback, timeWindow, max);
      });
    }

    private prune(): void {
      if (this.leases.size < PRUNE_ABOVE) return;
      const now = Date.now();
      for (const [key, lease] of this.leases) if (lease.windowEndsAt <= now) this.leases.delete(key);
    }
  }
  return LeasedRedisStore;
}
