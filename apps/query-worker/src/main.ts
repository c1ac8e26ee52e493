import { sql } from 'kysely';
import type { EventStoreTables } from '@gyroscops/event-store';
import type { PaymentReadTables } from '@gyroscops/read-models';
import {
  checkTemporal,
  connectTemporalClient,
  createDatabase,
  createLogger,
  createMetricsRegistry,
  startTracing,
} from '@gyroscops/platform';
import { connectNative, runWorkerService } from '@gyroscops/platform/worker';
import { readQueryWorkerConfig } from './config';
import { createQueryWorker } from './worker';
import { loadWorkflowBundle } from './workflow-bundle';

const SERVICE = 'query-worker';

async function main(): Promise<void> {
  startTracing(SERVICE);
  const config = readQueryWorkerConfig();
  const logger = createLogger(SERVICE, config.log);
  const eventStore = createDatabase<EventStoreTables>({
    url: config.postgres.eventStoreDatabaseUrl,
    maxConnections: config.postgres.poolSize,
    applicationName: SERVICE,
    onPoolError: (error) => logger.warn({ err: error }, 'postgres client error'),
  });
  // Reports over read models (statistics, CSV exports) read the read database.
  const readDb = createDatabase<PaymentReadTables>({
    url: config.postgres.readDatabaseUrl,
    maxConnections: config.postgres.poolSize,
    applicationName: SERVICE,
    onPoolError: (error) => logger.warn({ err: error }, 'postgres client error'),
  });
  const [connection, temporal, workflowBundle] = await Promise.all([
    connectNative(config.temporal),
    connectTemporalClient(config.temporal),
    loadWorkflowBundle(),
  ]);
  const worker = await createQueryWorker({
    connection,
    namespace: config.temporal.namespace,
    workflowBundle,
    dependencies: { eventStore, readDb },
  });
  await runWorkerService({
    name: SERVICE,
    shutdownTimeoutMs: config.shutdown.timeoutMs,
    workers: [worker],
    logger,
    health: config.health,
    metrics: createMetricsRegistry(SERVICE),
    readiness: {
      eventStore: () => sql`select 1`.execute(eventStore),
      readDb: () => sql`select 1`.execute(readDb),
      temporal: () => checkTemporal(temporal),
    },
    close: async () => {
      await Promise.allSettled([
        eventStore.destroy(),
        readDb.destroy(),
        temporal.connection.close(),
        connection.close(),
      ]);
    },
  });
}

main().catch((error) => {
  console.error(`[${SERVICE}] failed to start:`, error instanceof Error ? error.message : error);
  process.exit(1);
});
