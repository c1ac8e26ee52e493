import { sql } from 'kysely';
import { eventStoreMigrations, type EventStoreTables } from '@gyroscops/event-store';
import {
  createSimulatedGateway,
  simulatedGatewayMigrations,
  type SimulatedGatewayTables,
} from '@gyroscops/payment-gateway';
import {
  checkTemporal,
  connectTemporalClient,
  createDatabase,
  createLogger,
  createMetricsRegistry,
  ensureDatabase,
  runMigrations,
  startTracing,
  withTablesOf,
} from '@gyroscops/platform';
import { connectNative, runWorkerService } from '@gyroscops/platform/worker';
import { readCommandWorkerConfig } from './config';
import { createCommandWorker } from './worker';
import { loadWorkflowBundle } from './workflow-bundle';

const SERVICE = 'command-worker';

async function main(): Promise<void> {
  startTracing(SERVICE);
  const config = readCommandWorkerConfig();
  const logger = createLogger(SERVICE, config.log);
  const database = config.postgres.eventStoreDatabaseUrl;
  if (config.migrateOnStart) await ensureDatabase(database);
  const eventStore = createDatabase<EventStoreTables>({
    url: database,
    maxConnections: config.postgres.poolSize,
    applicationName: SERVICE,
    onPoolError: (error) => logger.warn({ err: error }, 'postgres client error'),
  });
  if (config.migrateOnStart) {
    await runMigrations(eventStore, eventStoreMigrations);
    await runMigrations(eventStore, simulatedGatewayMigrations);
  }
  const [connection, temporal, workflowBundle] = await Promise.all([
    connectNative(config.temporal),
    connectTemporalClient(config.temporal),
    loadWorkflowBundle(),
  ]);
  const worker = await createCommandWorker({
    connection,
    namespace: config.temporal.namespace,
    workflowBundle,
    maxConcurrentActivityTaskExecutions: config.maxConcurrentActivities,
    dependencies: {
      eventStore,
      // The simulated gateway keeps its ledger beside the event store: one pool, seen through its own tables.
      gateway: createSimulatedGateway(withTablesOf<SimulatedGatewayTables>(eventStore)),
      log: (message, fields) => logger.info(fields ?? {}, message),
    },
  });
  await runWorkerService({
    name: SERVICE,
    shutdownTimeoutMs: config.shutdown.timeoutMs,
    workers: [worker],
    logger,
    health: config.health,
    metrics: createMetricsRegistry(SERVICE),
    readiness: {
      postgres: () => sql`select 1`.execute(eventStore),
      temporal: () => checkTemporal(temporal),
    },
    close: async () => {
      await Promise.allSettled([eventStore.destroy(), temporal.connection.close(), connection.close()]);
    },
  });
}

main().catch((error) => {
  console.error(`[${SERVICE}] failed to start:`, error instanceof Error ? error.message : error);
  process.exit(1);
});
