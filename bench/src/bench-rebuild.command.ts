import { randomBytes } from 'node:crypto';
import type { EventStoreTables } from '@gyroscops/event-store';
import {
  createDatabase,
  dropDatabase,
  loadConfig,
  readPostgresConfig,
  withDatabaseName,
  withTablesOf,
} from '@gyroscops/platform';
import {
  applyRebuildBatch,
  ensureCheckpoint,
  prepareRebuild,
  swapRebuild,
  type ProjectionTables,
} from '@gyroscops/projections';
import { eventCountsProjection, paymentsProjection, paymentStatisticsProjection } from '@gyroscops/read-models';
import { migrateAll } from '@gyroscops/cli';
import { analyzeSeeded } from './analyze-seeded';
import { seedPayments } from './seed-payments';

/**
 * `npm run bench:rebuild -- [events] [batch]`: seeds `events` events into scratch databases, then
 * times a rebuild of each read model with the code the rebuild workflow's activities run (prepare,
 * batches into the shadow tables, swap), without Temporal around it. Drops the databases afterwards.
 */
export async function benchRebuildCommand(args: string[]): Promise<void> {
  const events = Number(args[0] ?? 100_000);
  const batchSize = Number(args[1] ?? 5_000);
  const { postgres } = loadConfig((reader) => ({ postgres: readPostgresConfig(reader) }));
  const suffix = randomBytes(3).toString('hex');
  const scratch = {
    eventStoreDatabaseUrl: withDatabaseName(postgres.eventStoreDatabaseUrl, `gyro_bench_${suffix}_es`),
    readDatabaseUrl: withDatabaseName(postgres.readDatabaseUrl, `gyro_bench_${suffix}_read`),
    poolSize: 10,
  };
  await migrateAll(scratch, () => undefined);
  const eventStore = createDatabase<EventStoreTables>({ url: scratch.eventStoreDatabaseUrl, maxConnections: 10 });
  const readDb = withTablesOf<ProjectionTables>(createDatabase({ url: scratch.readDatabaseUrl, maxConnections: 4 }));
  try {
    let started = performance.now();
    const seeded = await seedPayments(eventStore, { events });
    // Planner statistics, as autovacuum would give them (see analyze-seeded.ts).
    await analyzeSeeded(scratch.eventStoreDatabaseUrl);
    console.log(`seeded ${seeded} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    for (const projection of [paymentsProjection, paymentStatisticsProjection, eventCountsProjection]) {
      await ensureCheckpoint(readDb, projection.name, projection.version);
      started = performance.now();
      await prepareRebuild(readDb, eventStore, projection);
      for (let progress = await applyRebuildBatch(readDb, eventStore, projection, batchSize); !progress.caughtUp;) {
        progress = await applyRebuildBatch(readDb, eventStore, projection, batchSize);
      }
      const done = await swapRebuild(readDb, eventStore, projection, batchSize);
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `rebuild ${projection.name.padEnd(18)} ${done.eventsDone} events in ${seconds.toFixed(2)} s = ${Math.round(done.eventsDone / seconds)} events/s (batch ${batchSize})`,
      );
    }
  } finally {
    await Promise.allSettled([eventStore.destroy(), readDb.destroy()]);
    await dropDatabase(scratch.eventStoreDatabaseUrl);
    await dropDatabase(scratch.readDatabaseUrl);
  }
}
