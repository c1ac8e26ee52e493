import type { QueryMiddleware } from './query-middleware';

/**
 * One debug line per query (type, source, position, duration), on the request's logger so it carries
 * the request id. Failures are logged by the HTTP error handler; this only adds the query type.
 */
export function loggingStage(): QueryMiddleware {
  return async (execution, next) => {
    const started = performance.now();
    const log = execution.request.log;
    try {
      const result = await next();
      log.debug(
        {
          query: execution.handler.type,
          source: execution.source,
          position: execution.position?.toString(),
          ms: Math.round((performance.now() - started) * 100) / 100,
        },
        'query answered',
      );
      return result;
    } catch (error) {
      log.debug({ query: execution.handler.type, err: error }, 'query failed');
      throw error;
    }
  };
}
