import type { Kysely } from 'kysely';
import { readAll, type EventStoreDb } from '@gyroscops/event-store';
import { lockCheckpoint, saveCheckpoint } from './projection-checkpoints';
import type { Projection, ProjectionChanges } from './projection';
import type { ProjectionTables } from './tables';

export interface BatchResult {
  projection: string;
  /** The checkpoint after the batch. */
  position: bigint;
  /** Events read (and so skipped past or applied) in this batch. */
  eventsRead: number;
  changes: ProjectionChanges;
  /** The batch was not full: the projection has everything the event store can safely give now. */
  caughtUp: boolean;
}

/**
 * Applies the next batch of a projection: reads the events after its checkpoint (gap-safe), hands the
 * ones it handles to `apply`, and moves the checkpoint, all in one read-database transaction whose
 * first statement row-locks the checkpoint. A crash anywhere rolls back rows and checkpoint together:
 * no event is ever applied twice or skipped.
 */
export async function applyNextBatch(
  readDb: Kysely<ProjectionTables>,
  eventStore: EventStoreDb,
  projection: Projection,
  batchSize: number,
): Promise<BatchResult> {
  return readDb.transaction().execute(async (trx) => {
    const checkpoint = await lockCheckpoint(trx, projection.name);
    const events = await readAll(eventStore, { after: checkpoint.position, limit: batchSize });
    const last = events[events.length - 1];
    const handled = events.filter((event) => projection.eventTypes.includes(event.type));
    const changes = handled.length > 0 ? await projection.apply(handled, trx) : { paymentIds: [], organizationIds: [] };
    if (last) await saveCheckpoint(trx, projection.name, last.position);
    return {
      projection: projection.name,
      position: last?.position ?? checkpoint.position,
      eventsRead: events.length,
      changes,
      caughtUp: events.length < batchSize,
    };
  });
}
