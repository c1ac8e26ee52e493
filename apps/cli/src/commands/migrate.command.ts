import { loadConfig, readPostgresConfig } from '@gyroscops/platform';
import { migrateAll } from '../database-migrations';

/** `npm run migrate`: creates the databases when missing and runs every migration. */
export async function migrateCommand(): Promise<void> {
  const { postgres } = loadConfig((reader) => ({ postgres: readPostgresConfig(reader) }));
  await migrateAll(postgres, (line) => console.log(`[migrate] ${line}`));
}
