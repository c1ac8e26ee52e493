import { readProjectionStatuses, type ProjectionTables } from '@gyroscops/projections';
import type { EventStoreDb } from '@gyroscops/event-store';
import type { Kysely } from 'kysely';
import { waitFor } from '@gyroscops/dev-infra';

/** The read models the projection worker keeps (payments, payment_statistics, event_counts). */
export const PROJECTION_COUNT = 3;

/**
 * Waits until every projection is live and its checkpoint has reached the head of the event store
 * (read straight from the databases, so it works whichever service is down).
 */
export async function waitForProjectionsCaughtUp(
  readDb: Kysely<ProjectionTables>,
  eventStore: EventStoreDb,
  timeoutMs = 120_000,
): Promise<void> {
  await waitFor(
    'every projection to reach the head of the event store',
    async () => {
      const statuses = await readProjectionStatuses(readDb, eventStore);
      return (
        statuses.length >= PROJECTION_COUNT &&
        statuses.every((status) => status.state === 'live' && status.lagEvents === 0 && status.rebuild === null)
      );
    },
    { timeoutMs, intervalMs: 250 },
  );
}
