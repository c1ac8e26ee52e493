import type { MigrationSet } from '@gyroscops/platform';
import * as createIdempotencyKeys from './2026-11-23T000100_create_idempotency_keys';

export const idempotencyMigrations: MigrationSet = {
  name: 'idempotency',
  migrations: { '2026-11-23T000100_create_idempotency_keys': createIdempotencyKeys },
};
