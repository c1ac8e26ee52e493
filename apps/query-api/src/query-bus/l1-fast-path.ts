import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TwoLevelCache } from '@gyroscops/cache';
import type { QueryHandler } from './query-handler';
import type { QueryTimings } from './query-timings';

/** An L1 hit answered without the bus's stages, or undefined for the bus to run the query. */
export type L1FastPath = <Params, Result>(
  handler: QueryHandler<Params, Result>,
  params: Params,
  request: FastifyRequest,
  reply: FastifyReply,
) => { value: Result } | undefined;

/**
 * What the bus's stages do for an L1 hit, without their promises: a request without X-Min-Position
 * (nothing to wait for) whose query's result is in L1 gets it at once, with X-Projection-Position
 * (the position the entry was read at), counted as an L1 hit and timed as source `l1`, as the bus
 * would. Everything else (read-your-writes, L2, the handler) goes through the bus.
 */
export function l1FastPath(cache: TwoLevelCache, timings: QueryTimings): L1FastPath {
  return (handler, params, request, reply) => {
    if (!handler.cache || request.headers['x-min-position'] !== undefined) return undefined;
    const started = performance.now();
    const hit = cache.peekLocal<never>(handler.type, params);
    if (!hit) return undefined;
    reply.header('x-projection-position', hit.position.toString());
    timings.observe(handler.type, 'l1', performance.now() - started);
    return { value: hit.value };
  };
}
