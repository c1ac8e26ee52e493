import type { Kysely } from 'kysely';
import { readAll, type EventStoreDb } from '@gyroscops/event-store';
import { applyEvents } from './apply-events';
import { parkEvents } from './dead-letters';
import { haltCheckpoint, lockCheckpoint, saveCheckpoint } from './projection-checkpoints';
import { NO_CHANGES, type Projection, type ProjectionChanges } from './projection';
import type { ProjectionTables } from './tables';

export interface BatchResult {
  projection: string;
  /** The checkpoint after the batch. */
  position: bigint;
  /** Events read (and so skipped past, applied or parked) in this batch. */
  eventsRead: number;
  changes: ProjectionChanges;
  /** The batch was not full: the projection has everything the event store can safely give now. */
  caughtUp: boolean;
  /** Events parked in the dead-letter table by this batch. */
  parked: number;
  /** The projection is halted (by this batch's poison event, or earlier): nothing was applied. */
  halted: boolean;
}

export interface BatchOptions {
  /** Apply event by event to find a poison event (after the whole batch kept failing). */
  isolate?: boolean;
}

/**
 * Applies the next batch of a projection: reads the events after its checkpoint (gap-safe), hands the
 * ones it handles to `apply`, and moves the checkpoint, all in one read-database transaction whose
 * first statement row-locks the checkpoint. A crash anywhere rolls back rows and checkpoint together,
 * and a second applier waits on the lock: no event is ever applied twice or skipped.
 */
export async function applyNextBatch(
  readDb: Kysely<ProjectionTables>,
  eventStore: EventStoreDb,
  projection: Projection,
  batchSize: number,
  options: BatchOptions = {},
): Promise<BatchResult> {
  return readDb.transaction().execute(async (trx) => {
    const checkpoint = await lockCheckpoint(trx, projection.name);
    const result = (fields: Partial<BatchResult>): BatchResult => ({
      projection: projection.name,
      position: checkpoint.position,
      eventsRead: 0,
      changes: NO_CHANGES,
      caughtUp: true,
      parked: 0,
      halted: false,
      ...fields,
    });
    if (checkpoint.state === 'halted') return result({ halted: true });

    const events = await readAll(eventStore, { after: checkpoint.position, limit: batchSize });
    const applied = await applyEvents(trx, projection, events, options);
    if (applied.poisoned.length > 0) await parkEvents(trx, projection.name, applied.poisoned);
    const position = applied.lastPosition ?? checkpoint.position;
    if (position !== checkpoint.position) await saveCheckpoint(trx, projection.name, position);
    if (applied.haltedAt) {
      await haltCheckpoint(trx, projection.name, `event ${applied.haltedAt.event.eventId} at ${applied.haltedAt.event.position}: ${applied.haltedAt.error}`);
      return result({ position, eventsRead: events.length, changes: applied.changes, halted: true, caughtUp: true });
    }
    return result({
      position,
      eventsRead: events.length,
      changes: applied.changes,
      caughtUp: events.length < batchSize,
      parked: applied.poisoned.length,
    });
  });
}
