import type { QueryMiddleware } from './query-middleware';
import type { QueryTimings } from './query-timings';

/** Times the query itself (cache and handler, not the read-your-writes wait), per type and source. */
export function timingStage(timings: QueryTimings): QueryMiddleware {
  return async (execution, next) => {
    const started = performance.now();
    const result = await next();
    timings.observe(execution.handler.type, execution.source ?? 'db', performance.now() - started);
    return result;
  };
}
