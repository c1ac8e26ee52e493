import {
  createDatabase,
  createMetricsRegistry,
  createRedis,
  lazyTemporalClient,
  runHttpService,
  startTracing,
  withTablesOf,
} from '@gyroscops/platform';
import type { EventStoreTables } from '@gyroscops/event-store';
import { ProjectionPositionTracker, type ProjectionTables } from '@gyroscops/projections';
import type { PaymentReadTables } from '@gyroscops/read-models';
import { buildQueryApi } from './app';
import { readQueryApiConfig } from './config';

const SERVICE = 'query-api';

async function main(): Promise<void> {
  startTracing(SERVICE);
  const config = readQueryApiConfig();
  const readDb = createDatabase<PaymentReadTables>({
    url: config.postgres.readDatabaseUrl,
    maxConnections: config.postgres.poolSize,
    applicationName: SERVICE,
  });
  const eventStore = createDatabase<EventStoreTables>({
    url: config.postgres.eventStoreDatabaseUrl,
    maxConnections: config.postgres.poolSize,
    applicationName: SERVICE,
  });
  // The cache's connection: fails fast (no offline queue, short timeout) so a sick Redis costs milliseconds.
  const redis = createRedis(config.redis, { name: SERVICE, commandTimeoutMs: config.redis.commandTimeoutMs });
  // A subscriber connection queues its SUBSCRIBE until Redis is there, and re-subscribes after reconnects.
  const subscriber = createRedis(config.redis, {
    name: `${SERVICE}-subscriber`,
    offlineQueue: true,
    commandTimeoutMs: 5_000,
  });
  const tracker = new ProjectionPositionTracker(
    withTablesOf<ProjectionTables>(readDb),
    subscriber,
    config.redis.keyPrefix,
  );
  await tracker.start();
  // Lazy: the query-api starts and serves reads without Temporal; only reports and admin actions need it.
  // Report workflows started by a traced request join its trace.
  const temporal = lazyTemporalClient(config.temporal);
  const app = await buildQueryApi({
    readDb,
    eventStore,
    redis,
    subscriber,
    tracker,
    log: config.log,
    auth: config.auth,
    // Rate-limit counters on the cache's connection: it already fails fast, and the limiter fails open.
    hardening: { ...config.hardening, rateLimitStore: { redis, keyPrefix: config.redis.keyPrefix } },
    metrics: createMetricsRegistry(SERVICE),
    consistency: config.consistency,
    cache: config.cache,
    temporal,
  });
  await runHttpService(
    app,
    config.http,
    async () => {
      tracker.stop();
      redis.disconnect();
      subscriber.disconnect();
      await temporal.connection.close();
      await Promise.all([readDb.destroy(), eventStore.destroy()]);
    },
    { shutdownTimeoutMs: config.shutdown.timeoutMs },
  );
}

main().catch((error) => {
  console.error(`[${SERVICE}] failed to start:`, error instanceof Error ? error.message : error);
  process.exit(1);
});
