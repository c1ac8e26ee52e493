import { Migrator, type Kysely, type Migration } from 'kysely';

/** A package's migrations, listed explicitly (no file scanning: bundlers and `.cjs` files cannot lose them). */
export interface MigrationSet {
  /** Names the package's own history table, so packages sharing a database migrate independently. */
  name: string;
  migrations: Record<string, Migration>;
}

/**
 * Brings a database up to the latest migration of a set. Kysely's lock table makes concurrent
 * callers (several services starting at once) safe.
 */
export async function runMigrations(db: Kysely<any>, set: MigrationSet): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => set.migrations },
    migrationTableName: `${set.name}_migrations`,
    migrationLockTableName: `${set.name}_migrations_lock`,
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error || failed) {
    const cause = error instanceof Error ? error.message : String(error ?? '');
    throw new Error(`migration set '${set.name}' failed at ${failed?.migrationName ?? '?'}: ${cause}`);
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
