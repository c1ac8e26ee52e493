import type { TwoLevelCache } from '@gyroscops/cache';
import type { QueryMiddleware } from './query-middleware';

/**
 * The two-level cache for handlers that declare a cache policy: L1, L2, then the rest of the chain,
 * with single flight. Runs after read-your-writes, so X-Min-Position has been waited for and entries
 * read before it are misses.
 */
export function cachingStage(
  cache: TwoLevelCache,
  positionOf: (projections: readonly string[]) => bigint,
): QueryMiddleware {
  return async (execution, next) => {
    const { handler, params } = execution;
    const policy = handler.cache;
    if (!policy) return next();
    const answer = await cache.get({
      type: handler.type,
      params,
      minPosition: execution.minPosition,
      currentPosition: () => positionOf(handler.projections),
      ttlSeconds: policy.ttlSeconds,
      tags: (value) => policy.tags(params, value),
      load: next,
    });
    execution.source = answer.source;
    execution.position = answer.position;
    return answer.value;
  };
}
