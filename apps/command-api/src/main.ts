import { eventStoreMigrations, type EventStoreTables } from '@gyroscops/event-store';
import { idempotencyMigrations, type IdempotencyTables } from '@gyroscops/idempotency';
import {
  connectTemporalClient,
  createDatabase,
  createMetricsRegistry,
  createRedis,
  ensureDatabase,
  runMigrations,
  runHttpService,
  startTracing,
  withTablesOf,
} from '@gyroscops/platform';
import { buildCommandApi } from './app';
import { readCommandApiConfig } from './config';

const SERVICE = 'command-api';

async function main(): Promise<void> {
  startTracing(SERVICE);
  const config = readCommandApiConfig();
  const url = config.postgres.eventStoreDatabaseUrl;
  if (config.migrateOnStart) await ensureDatabase(url);
  const eventStore = createDatabase<EventStoreTables>({
    url,
    maxConnections: config.postgres.poolSize,
    applicationName: SERVICE,
  });
  // Idempotency keys live beside the event store (the command side's database): one pool, its own tables.
  const idempotencyDb = withTablesOf<IdempotencyTables>(eventStore);
  if (config.migrateOnStart) {
    await runMigrations(eventStore, eventStoreMigrations);
    await runMigrations(eventStore, idempotencyMigrations);
  }
  const temporal = await connectTemporalClient(config.temporal);
  // Rate-limit counters shared by every instance; fails fast (no offline queue, short timeout) and open.
  const rateLimitRedis = createRedis(config.redis, {
    name: `${SERVICE}-rate-limit`,
    commandTimeoutMs: config.redis.commandTimeoutMs,
  });
  const app = await buildCommandApi({
    temporal,
    eventStore,
    idempotencyDb,
    log: config.log,
    auth: config.auth,
    hardening: { ...config.hardening, rateLimitStore: { redis: rateLimitRedis, keyPrefix: config.redis.keyPrefix } },
    metrics: createMetricsRegistry(SERVICE),
    resultTimeoutMs: config.commands.resultTimeoutMs,
    idempotencyTtlMs: config.commands.idempotencyTtlHours * 3_600_000,
  });
  await runHttpService(
    app,
    config.http,
    async () => {
      rateLimitRedis.disconnect();
      await Promise.allSettled([eventStore.destroy(), temporal.connection.close()]);
    },
    { shutdownTimeoutMs: config.shutdown.timeoutMs },
  );
}

main().catch((error) => {
  console.error(`[${SERVICE}] failed to start:`, error instanceof Error ? error.message : error);
  process.exit(1);
});
