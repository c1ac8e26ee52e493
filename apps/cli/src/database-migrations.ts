import { eventStoreMigrations } from '@gyroscops/event-store';
import { idempotencyMigrations } from '@gyroscops/idempotency';
import { simulatedGatewayMigrations } from '@gyroscops/payment-gateway';
import {
  createDatabase,
  ensureDatabase,
  runMigrations,
  type MigrationSet,
  type PostgresConfig,
} from '@gyroscops/platform';
import { projectionMigrations } from '@gyroscops/projections';
import { readModelMigrations } from '@gyroscops/read-models';

/** The command side's database: events, idempotency keys, the simulated gateway's ledger. */
export const EVENT_STORE_MIGRATIONS: MigrationSet[] = [
  eventStoreMigrations,
  idempotencyMigrations,
  simulatedGatewayMigrations,
];
/** The read side's database: projection checkpoints and read models. */
export const READ_MIGRATIONS: MigrationSet[] = [projectionMigrations, readModelMigrations];

/** Creates both databases when missing and brings every migration set to its latest version. */
export async function migrateAll(postgres: PostgresConfig, log: (line: string) => void = console.log): Promise<void> {
  for (const [url, sets] of [
    [postgres.eventStoreDatabaseUrl, EVENT_STORE_MIGRATIONS],
    [postgres.readDatabaseUrl, READ_MIGRATIONS],
  ] as const) {
    if (await ensureDatabase(url)) log(`created database ${new URL(url).pathname.slice(1)}`);
    const db = createDatabase({ url, maxConnections: 2, applicationName: 'migrate' });
    try {
      for (const set of sets) {
        const applied = await runMigrations(db, set);
        log(`${set.name}: ${applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`}`);
      }
    } finally {
      await db.destroy();
    }
  }
}
