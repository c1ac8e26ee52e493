import type { MigrationSet } from '@gyroscops/platform';
import * as createPayments from './2026-11-23T000400_create_payments';

export const readModelMigrations: MigrationSet = {
  name: 'read_models',
  migrations: { '2026-11-23T000400_create_payments': createPayments },
};
