import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { EventStoreDb } from '@gyroscops/event-store';

/** What query handlers read from: the read database (read models) and the event store (history, replay). */
export interface QueryDependencies {
  readDb: Kysely<any>;
  eventStore: EventStoreDb;
}

/**
 * One query type of the query side. The bus runs every handler the same way: read-your-writes wait
 * on `projections`, the two-level cache when `cache` is set, single flight, timing and logs.
 */
export interface QueryHandler<Params, Result> {
  /**
   * Unique name: cache keys (`<prefix>cache:<type>:<sha1 of the canonical params>`), metrics and logs
   * use it. Rename it (e.g. a `.v2` suffix) when the shape of the result changes, so old entries are never read.
   */
  type: string;
  /**
   * Projections whose read models the handler reads: X-Min-Position waits for them and
   * X-Projection-Position reports them. Empty for handlers that read only the event store.
   */
  projections: readonly string[];
  /**
   * Cache policy; omit to never cache this query. A cached result is shared by every request that
   * gets it and comes back from Redis as parsed JSON: return plain JSON data (no Date, bigint or class
   * instances; `null` rather than `undefined` for "none") and never mutate a result after the fact.
   */
  cache?: {
    /** L2 (Redis) time to live; the bus's default (300 s) when omitted. */
    ttlSeconds?: number;
    /**
     * Invalidation tags of a result: `payment:<id>`, `org:<id>`, `projection:<name>`. A projection
     * batch that touches a tag drops every entry carrying it.
     */
    tags: (params: Params, result: Result) => string[];
  };
  handle(params: Params, deps: QueryDependencies): Promise<Result>;
}

/** Runs query handlers for HTTP routes. */
export interface QueryBus {
  /**
   * Waits for read-your-writes (X-Min-Position / X-Wait-Ms, 503 + Retry-After on timeout), answers from
   * cache or the handler, and sets X-Projection-Position on the reply.
   */
  execute<Params, Result>(
    handler: QueryHandler<Params, Result>,
    params: Params,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<Result>;
  /**
   * The result from the in-process cache with nothing to wait for (no X-Min-Position), synchronously,
   * with X-Projection-Position set; undefined when `execute` must run the query. For hot routes.
   */
  answerFromL1<Params, Result>(
    handler: QueryHandler<Params, Result>,
    params: Params,
    request: FastifyRequest,
    reply: FastifyReply,
  ): { value: Result } | undefined;
}
