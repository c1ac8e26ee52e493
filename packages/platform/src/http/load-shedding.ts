import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import { ApplicationError } from './application-error';

/** Seconds a shed client should wait: long enough for a saturated event loop to drain. */
const RETRY_AFTER_SECONDS = 2;

/** Liveness must not fail because the process is busy (an orchestrator would kill it), nor must scraping. */
const NEVER_SHED = new Set(['/health/live', '/metrics']);

/**
 * Past `maxEventLoopDelayMs` of mean event-loop delay (sampled every second) new requests get a 503
 * problem+json with Retry-After instead of queueing behind the ones already late. Readiness is shed
 * too, which takes a saturated instance out of its load balancer for a while.
 */
export async function registerLoadShedding(
  app: FastifyInstance,
  options: { maxEventLoopDelayMs: number },
): Promise<void> {
  await app.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs,
    retryAfter: RETRY_AFTER_SECONDS,
    pressureHandler: async (request) => {
      if (NEVER_SHED.has(request.url.split('?')[0] ?? '')) return;
      throw new ApplicationError('UNAVAILABLE', 'overloaded: try again later', [], {
        'retry-after': String(RETRY_AFTER_SECONDS),
      });
    },
  });
}
