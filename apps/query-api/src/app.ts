import { sql, type Kysely } from 'kysely';
import type Redis from 'ioredis';
import type { Registry } from 'prom-client';
import { createHttpApp, type HttpApp, type LogConfig } from '@gyroscops/platform';
import type { ProjectionPositionTracker } from '@gyroscops/projections';
import type { PaymentReadTables } from '@gyroscops/read-models';
import { createReadYourWrites } from './consistency/read-your-writes';
import { registerPaymentViewRoutes } from './routes/payment-view.routes';

export interface QueryApiDependencies {
  readDb: Kysely<PaymentReadTables>;
  redis: Redis;
  tracker: ProjectionPositionTracker;
  log: LogConfig;
  metrics: Registry;
  consistency: { defaultWaitMs: number; maxWaitMs: number };
}

/** The query-api as a Fastify instance, without listening. */
export async function buildQueryApi(deps: QueryApiDependencies): Promise<HttpApp> {
  const app = await createHttpApp({
    service: 'query-api',
    title: 'Gyroscops payments: query API',
    description: 'Reads of payments from read models kept by projections, with read-your-writes through X-Min-Position.',
    log: deps.log,
    metrics: deps.metrics,
    tags: [{ name: 'payments', description: 'Payment views' }],
    readiness: {
      postgres: () => sql`select 1`.execute(deps.readDb),
      // Redis only speeds reads up (cache, wake-ups): its absence degrades, it does not make the service unready.
    },
  });
  const awaitProjections = createReadYourWrites({ tracker: deps.tracker, ...deps.consistency });
  registerPaymentViewRoutes(app, { readDb: deps.readDb, awaitProjections });
  return app;
}
