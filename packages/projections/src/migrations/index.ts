import type { MigrationSet } from '@gyroscops/platform';
import * as createProjectionCheckpoints from './2026-11-23T000300_create_projection_checkpoints';
import * as createDeadLettersAndRebuilds from './2026-11-23T000500_create_dead_letters_and_rebuilds';
import * as rebuildStateAndError from './2026-12-06T000200_rebuild_state_and_error';

export const projectionMigrations: MigrationSet = {
  name: 'projections',
  migrations: {
    '2026-11-23T000300_create_projection_checkpoints': createProjectionCheckpoints,
    '2026-11-23T000500_create_dead_letters_and_rebuilds': createDeadLettersAndRebuilds,
    '2026-12-06T000200_rebuild_state_and_error': rebuildStateAndError,
  },
};
