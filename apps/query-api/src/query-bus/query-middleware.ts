import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CacheSource } from '@gyroscops/cache';
import type { QueryHandler } from './query-handler';

/** One query going through the bus: what every stage sees and may fill in. */
export interface QueryExecution {
  handler: QueryHandler<unknown, unknown>;
  params: unknown;
  request: FastifyRequest;
  reply: FastifyReply;
  /** The request's X-Min-Position, once read-your-writes has waited for it. */
  minPosition?: bigint;
  /** Projection position the answer was read at (X-Projection-Position); set by whoever produced it. */
  position?: bigint;
  /** Where the answer came from; `db` when the handler ran. */
  source?: CacheSource;
}

/**
 * A cross-cutting stage of the bus (logging, timing, read-your-writes, caching): it may act before
 * and after `next` (the following stages, then the handler), or answer without calling it.
 */
export type QueryMiddleware = (execution: QueryExecution, next: () => Promise<unknown>) => Promise<unknown>;
