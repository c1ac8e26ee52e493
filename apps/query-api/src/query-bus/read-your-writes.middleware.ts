import { awaitPosition, minPositionOf, type ReadYourWritesOptions } from '../consistency/read-your-writes';
import type { QueryMiddleware } from './query-middleware';

/**
 * X-Min-Position / X-Wait-Ms before the query (503 + Retry-After when the projections the handler
 * reads do not get there in time), X-Projection-Position after it: the position the answer was read
 * at, which for a cached answer is the position stored with the entry.
 */
export function readYourWritesStage(options: ReadYourWritesOptions): QueryMiddleware {
  return async (execution, next) => {
    const { handler, request, reply } = execution;
    const wanted = minPositionOf(request, options);
    if (wanted) {
      await awaitPosition(options, reply, handler.projections, wanted);
      execution.minPosition = wanted.position;
    }
    const result = await next();
    reply.header(
      'x-projection-position',
      (execution.position ?? options.tracker.positionOf(handler.projections)).toString(),
    );
    return result;
  };
}
