import { createDatabase, createMetricsRegistry, createRedis, runHttpService, withTablesOf } from '@gyroscops/platform';
import { ProjectionPositionTracker, type ProjectionTables } from '@gyroscops/projections';
import type { PaymentReadTables } from '@gyroscops/read-models';
import { buildQueryApi } from './app';
import { readQueryApiConfig } from './config';

const SERVICE = 'query-api';

async function main(): Promise<void> {
  const config = readQueryApiConfig();
  const readDb = createDatabase<PaymentReadTables>({ url: config.postgres.readDatabaseUrl, maxConnections: config.postgres.poolSize, applicationName: SERVICE });
  const redis = createRedis(config.redis, { name: SERVICE });
  // A subscriber connection queues its SUBSCRIBE until Redis is there, and re-subscribes after reconnects.
  const subscriber = createRedis(config.redis, { name: `${SERVICE}-subscriber`, offlineQueue: true, commandTimeoutMs: 5_000 });
  const tracker = new ProjectionPositionTracker(withTablesOf<ProjectionTables>(readDb), subscriber, config.redis.keyPrefix);
  await tracker.start();
  const app = await buildQueryApi({
    readDb,
    redis,
    tracker,
    log: config.log,
    metrics: createMetricsRegistry(SERVICE),
    consistency: config.consistency,
  });
  await runHttpService(app, config.http, async () => {
    tracker.stop();
    redis.disconnect();
    subscriber.disconnect();
    await readDb.destroy();
  });
}

main().catch((error) => {
  console.error(`[${SERVICE}] failed to start:`, error instanceof Error ? error.message : error);
  process.exit(1);
});
