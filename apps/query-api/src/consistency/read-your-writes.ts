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

/** The X-Min-Position of a request and how long it may wait for it; undefined without the header. */
export function minPositionOf(
  request: FastifyRequest,
  options: Pick<ReadYourWritesOptions, 'defaultWaitMs' | 'maxWaitMs'>,
): { position: bigint; waitMs: number } | undefined {
  const minPosition = request.headers['x-min-position'];
  if (typeof minPosition !== 'string' || minPosition === '') return undefined;
  if (!/^\d{1,19}$/.test(minPosition)) {
    throw new ApplicationError('VALIDATION', 'X-Min-Position must be an event position (a decimal integer)', [
      { path: 'headers:/x-min-position', message: 'must be digits' },
    ]);
  }
  const waitHeader = request.headers['x-wait-ms'];
  const waitMs =
    typeof waitHeader === 'string' && /^\d{1,6}$/.test(waitHeader)
      ? Math.min(Number(waitHeader), options.maxWaitMs)
      : options.defaultWaitMs;
  return { position: BigInt(minPosition), waitMs };
}

/**
 * Waits (event-driven, through the tracker) until every projection in `projections` reached
 * `position`, else answers 503 with Retry-After and the X-Projection-Position it did reach.
 * A read of no projection (the event store only) is always current: nothing to wait for.
 */
export async function awaitPosition(
  options: ReadYourWritesOptions,
  reply: FastifyReply,
  projections: readonly string[],
  wanted: { position: bigint; waitMs: number },
): Promise<void> {
  if (projections.length === 0) return;
  if (await options.tracker.waitFor(projections, wanted.position, wanted.waitMs)) return;
  reply.header('x-projection-position', options.tracker.positionOf(projections).toString());
  throw new ApplicationError(
    'UNAVAILABLE',
    `the read side has not reached position ${wanted.position} within ${wanted.waitMs} ms`,
    [],
    { 'retry-after': RETRY_AFTER_SECONDS },
  );
}

/**
 * Read-your-writes for a route that does not go through the query bus (the bus has it as a stage):
 * when the request carries `X-Min-Position`, wait (at most `X-Wait-Ms`) until every projection the
 * route reads has reached that position, else 503 with Retry-After. Either way the answer carries
 * `X-Projection-Position`: how fresh the data is.
 */
export function createReadYourWrites(options: ReadYourWritesOptions) {
  return async function awaitProjections(
    request: FastifyRequest,
    reply: FastifyReply,
    projections: readonly string[],
  ): Promise<void> {
    const wanted = minPositionOf(request, options);
    if (wanted) await awaitPosition(options, reply, projections, wanted);
    reply.header('x-projection-position', options.tracker.positionOf(projections).toString());
  };
}
export type AwaitProjections = ReturnType<typeof createReadYourWrites>;
