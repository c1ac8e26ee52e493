import type { Client } from '@temporalio/client';
import { sql, type Kysely } from 'kysely';
import type Redis from 'ioredis';
import type { Registry } from 'prom-client';
import apiClientPackage from '@gyroscops/api-client/package.json';
import type { EventStoreDb } from '@gyroscops/event-store';
import {
  createHttpApp,
  withTablesOf,
  type AuthConfig,
  type HttpApp,
  type HttpHardeningOptions,
  type LogConfig,
} from '@gyroscops/platform';
import type { ProjectionPositionTracker, ProjectionTables } from '@gyroscops/projections';
import type { PaymentReadTables } from '@gyroscops/read-models';
import { invalidateCacheOnAnnouncements } from './query-bus/cache-invalidation';
import type { QueryCacheSettings } from './query-bus/cache-settings';
import { createCachedQueryBus } from './query-bus/cached-query-bus';
import { registerCacheStatsRoutes } from './routes/cache-stats.routes';
import { registerInvoiceRoutes } from './routes/invoices.routes';
import { registerOrganizationRoutes } from './routes/organizations.routes';
import { registerPaymentViewRoutes } from './routes/payment-view.routes';
import { registerProjectionRoutes } from './routes/projections.routes';
import { registerReadRoutes } from './routes/read-routes';
import { registerStatisticsRoutes } from './routes/statistics.routes';
import { registerUsageRoutes } from './routes/usage.routes';
import { registerAnalyticsRoutes } from './routes/analytics.routes';

export interface QueryApiDependencies {
  readDb: Kysely<PaymentReadTables>;
  /** Read for history and replay; the query side never writes events. */
  eventStore: EventStoreDb;
  /** The cache's connection: no offline queue and a command timeout of tens of ms (REDIS_COMMAND_TIMEOUT_MS). */
  redis: Redis;
  /** The tracker's subscriber connection: L1 is flushed each time it (re)connects. */
  subscriber?: Redis;
  tracker: ProjectionPositionTracker;
  log: LogConfig;
  /** How bearer tokens are verified (JWT_SECRET or JWT_JWKS_URL). */
  auth: AuthConfig;
  /** CORS origins, rate limits (shared through Redis) and load shedding; platform defaults when absent. */
  hardening?: HttpHardeningOptions;
  metrics: Registry;
  consistency: { defaultWaitMs: number; maxWaitMs: number };
  cache: QueryCacheSettings;
  /** Reports (query workflows) and projection admin actions; without it those routes answer 503. */
  temporal?: Client;
}

/** The query-api as a Fastify instance, without listening. Closing it unwires the cache from the tracker. */
export async function buildQueryApi(deps: QueryApiDependencies): Promise<HttpApp> {
  const app = await createHttpApp({
    service: 'query-api',
    title: 'Gyroscops payments: query API',
    description:
      'Reads of payments from read models kept by projections, behind a two-level cache, with read-your-writes through X-Min-Position.',
    // The version of @gyroscops/api-client, whose release is this contract (npm run check:api guards it).
    version: apiClientPackage.version,
    log: deps.log,
    auth: deps.auth,
    hardening: deps.hardening,
    metrics: deps.metrics,
    tags: [
      { name: 'payments', description: 'Payment views, search, history and replay' },
      { name: 'events', description: 'Event search and timelines' },
      { name: 'statistics', description: 'Aggregates from the statistics read models' },
      { name: 'billing', description: 'Usage, invoices and billing analytics' },
      { name: 'reports', description: 'Long analytics run as query workflows' },
      { name: 'projections', description: 'Projection status and admin actions' },
      { name: 'cache', description: 'The query cache' },
    ],
    readiness: {
      postgres: () => sql`select 1`.execute(deps.readDb),
      // Redis only speeds reads up (cache, wake-ups): its absence degrades, it does not make the service unready.
    },
  });
  const { bus, cache, timings } = createCachedQueryBus({
    dependencies: { readDb: deps.readDb, eventStore: deps.eventStore },
    tracker: deps.tracker,
    consistency: deps.consistency,
    redis: deps.redis,
    cache: deps.cache,
    metrics: deps.metrics,
    log: app.log,
  });
  const unwire = invalidateCacheOnAnnouncements(deps.tracker, cache, deps.subscriber);
  app.addHook('onClose', async () => unwire());

  // Read routes: every query route goes through `bus` (read-your-writes, cache, timing, logs).
  registerPaymentViewRoutes(app, { bus });
  registerReadRoutes(app, { bus, temporal: deps.temporal, eventStore: deps.eventStore, readDb: deps.readDb });
  registerStatisticsRoutes(app, { bus });
  registerAnalyticsRoutes(app, { bus });
  registerInvoiceRoutes(app, { bus });
  registerOrganizationRoutes(app, { bus });
  registerUsageRoutes(app, { bus });
  // Operational routes: live state, never cached.
  registerProjectionRoutes(app, {
    readDb: withTablesOf<ProjectionTables>(deps.readDb),
    eventStore: deps.eventStore,
    temporal: deps.temporal,
  });
  registerCacheStatsRoutes(app, { cache, timings });
  return app;
}
