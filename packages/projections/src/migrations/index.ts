import type { MigrationSet } from '@gyroscops/platform';
import * as createProjectionCheckpoints from './2026-11-23T000300_create_projection_checkpoints';

export const projectionMigrations: MigrationSet = {
  name: 'projections',
  migrations: { '2026-11-23T000300_create_projection_checkpoints': createProjectionCheckpoints },
};
