import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ProjectionPositionTracker } from '@gyroscops/projections';
import { ApplicationError } from '@gyroscops/platform';

export interface ReadYourWritesOptions {
  tracker: ProjectionPositionTracker;
  defaultWaitMs: number;
  maxWaitMs: number;
}

/** Seconds a client should wait before retrying a read whose projections lag. */
const RETRY_AFTER_SECONDS = '1';

/**
 * Read-your-writes for one request: when it carries `X-Min-Position`, wait (at most `X-Wait-Ms`)
 * until every projection the route reads has reached that position, else answer 503 with
 * Retry-After. Either way the answer carries `X-Projection-Position`: how fresh the data is.
 */
export function createReadYourWrites(options: ReadYourWritesOptions) {
  return async function awaitProjections(request: FastifyRequest, reply: FastifyReply, projections: readonly string[]): Promise<void> {
    const minPosition = request.headers['x-min-position'];
    if (typeof minPosition === 'string' && minPosition !== '') {
      if (!/^\d{1,19}$/.test(minPosition)) {
        throw new ApplicationError('VALIDATION', 'X-Min-Position must be an event position (a decimal integer)', [{ path: 'headers:/x-min-position', message: 'must be digits' }]);
      }
      const waitHeader = request.headers['x-wait-ms'];
      const waitMs = typeof waitHeader === 'string' && /^\d{1,6}$/.test(waitHeader) ? Math.min(Number(waitHeader), options.maxWaitMs) : options.defaultWaitMs;
      const reached = await options.tracker.waitFor(projections, BigInt(minPosition), waitMs);
      if (!reached) {
        reply.header('x-projection-position', options.tracker.positionOf(projections).toString());
        throw new ApplicationError('UNAVAILABLE', `the read side has not reached position ${minPosition} within ${waitMs} ms`, [], { 'retry-after': RETRY_AFTER_SECONDS });
      }
    }
    reply.header('x-projection-position', options.tracker.positionOf(projections).toString());
  };
}
export type AwaitProjections = ReturnType<typeof createReadYourWrites>;
