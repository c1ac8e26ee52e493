import { sql, type Kysely } from 'kysely';
import { eventStoreMigrations, type EventStoreTables } from '@gyroscops/event-store';
import {
  checkTemporal,
  connectTemporalClient,
  createDatabase,
  createLogger,
  createMetricsRegistry,
  createRedis,
  ensureDatabase,
  runMigrations,
  startTracing,
} from '@gyroscops/platform';
import { connectNative, runWorkerService } from '@gyroscops/platform/worker';
import { PostgresAppendListener, projectionMigrations, type ProjectionTables } from '@gyroscops/projections';
import { readModelMigrations } from '@gyroscops/read-models';
import { CacheInvalidator } from './activities/cache-invalidator';
import { readProjectionWorkerConfig } from './config';
import { registerProjectionGauges } from './projection-metrics';
import { projectionRegistry } from './projection-registry';
import { createProjectionWorker, startProjectionWorkflows } from './worker';
import { loadWorkflowBundle } from './workflow-bundle';

const SERVICE = 'projection-worker';

async function main(): Promise<void> {
  startTracing(SERVICE);
  const config = readProjectionWorkerConfig();
  const logger = createLogger(SERVICE, config.log);
  const onPoolError = (error: Error) => logger.warn({ err: error }, 'postgres client error');
  if (config.migrateOnStart) {
    await ensureDatabase(config.postgres.eventStoreDatabaseUrl);
    await ensureDatabase(config.postgres.readDatabaseUrl);
  }
  const eventStore = createDatabase<EventStoreTables>({
    url: config.postgres.eventStoreDatabaseUrl,
    maxConnections: config.postgres.poolSize,
    applicationName: SERVICE,
    onPoolError,
  });
  // Read models are rebuilt from the event store: their commits need not wait for the WAL flush
  // (a crash loses the last batches' rows and checkpoint together; they are applied again).
  const readDb: Kysely<ProjectionTables> = createDatabase({
    url: config.postgres.readDatabaseUrl,
    maxConnections: config.postgres.poolSize,
    applicationName: SERVICE,
    onPoolError,
    asynchronousCommit: true,
  });
  if (config.migrateOnStart) {
    await runMigrations(eventStore, eventStoreMigrations);
    await runMigrations(readDb, projectionMigrations);
    await runMigrations(readDb, readModelMigrations);
  }
  const redis = createRedis(config.redis, {
    name: SERVICE,
    onError: (error) => logger.debug({ err: error }, 'redis error'),
  });
  const metrics = createMetricsRegistry(SERVICE);
  registerProjectionGauges(metrics, readDb, eventStore);
  // One LISTEN connection on the event store wakes every follower of this process on each append.
  const wakeups = new PostgresAppendListener({
    url: config.postgres.eventStoreDatabaseUrl,
    applicationName: `${SERVICE}-listener`,
    onError: onPoolError,
  });
  await wakeups
    .start()
    .catch((error: Error) =>
      logger.warn({ err: error }, 'append notifications unavailable: polling until they reconnect'),
    );
  const [connection, temporal, workflowBundle] = await Promise.all([
    connectNative(config.temporal),
    connectTemporalClient(config.temporal),
    loadWorkflowBundle(),
  ]);
  const worker = await createProjectionWorker({
    connection,
    namespace: config.temporal.namespace,
    workflowBundle,
    dependencies: {
      readDb,
      eventStore,
      projections: projectionRegistry,
      redis,
      keyPrefix: config.redis.keyPrefix,
      invalidator: new CacheInvalidator(redis, config.redis.keyPrefix),
      batchSize: config.batchSize,
      rebuildBatchSize: config.rebuildBatchSize,
      wakeups,
      onFollowError: (projection, error, failures) =>
        logger.warn({ err: error, projection, failures }, 'projection batch failed; retrying'),
      onRebuildError: (projection, error, attempt) =>
        logger.warn({ err: error, projection, attempt }, 'projection rebuild step failed; retrying'),
    },
  });
  await startProjectionWorkflows(temporal, readDb, projectionRegistry);
  await runWorkerService({
    name: SERVICE,
    shutdownTimeoutMs: config.shutdown.timeoutMs,
    workers: [worker],
    logger,
    health: config.health,
    metrics,
    readiness: {
      eventStore: () => sql`select 1`.execute(eventStore),
      readDatabase: () => sql`select 1`.execute(readDb),
      temporal: () => checkTemporal(temporal),
    },
    close: async () => {
      redis.disconnect();
      await Promise.allSettled([
        wakeups.close(),
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
