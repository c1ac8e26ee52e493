import type { MigrationSet } from '@gyroscops/platform';
import * as createEvents from './2026-11-23T000000_create_events';
import * as streamsOwnedByOneOrganization from './2026-12-06T000000_streams_owned_by_one_organization';
import * as createStreamIdRepairs from './2026-12-06T000100_create_stream_id_repairs';
import * as createUsageRecordClaimsAndSnapshots from './2026-12-06T000200_create_usage_record_claims_and_snapshots';

/** The event store's schema, run with `runMigrations(db, eventStoreMigrations)` from @gyroscops/platform. */
export const eventStoreMigrations: MigrationSet = {
  name: 'event_store',
  migrations: {
    '2026-11-23T000000_create_events': createEvents,
    '2026-12-06T000000_streams_owned_by_one_organization': streamsOwnedByOneOrganization,
    '2026-12-06T000100_create_stream_id_repairs': createStreamIdRepairs,
    '2026-12-06T000200_create_usage_record_claims_and_snapshots': createUsageRecordClaimsAndSnapshots,
  },
};
