import type { Kysely } from 'kysely';
import { readAll, type EventStoreDb } from '@gyroscops/event-store';
import { applyEvents } from './apply-events';
import { parkEvents } from './dead-letters';
import { traceProjectionApply } from './projection-tracing';
import { advanceCheckpointFrom, haltCheckpoint, lockCheckpoint, saveCheckpoint } from './projection-checkpoints';
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
  /**
   * The checkpoint the caller believes the projection is at (a follower knows it from its last
   * batch). The events after it are then read before the read-database transaction opens, and the
   * checkpoint is locked, checked and moved by one statement; when the belief is wrong (another
   * applier moved the checkpoint, or it is halted) the batch falls back to the locked path.
   */
  expectedPosition?: bigint;
}

/**
 * Applies the next batch of a projection: reads the events after its checkpoint (gap-safe), hands the
 * ones it handles to `apply`, and moves the checkpoint, all in one read-database transaction that
 * row-locks the checkpoint first. A crash anywhere rolls back rows and checkpoint together, and a
 * second applier waits on the lock: no event is ever applied twice or skipped.
 */
export async function applyNextBatch(
  readDb: Kysely<ProjectionTables>,
  eventStore: EventStoreDb,
  projection: Projection,
  batchSize: number,
  options: BatchOptions = {},
): Promise<BatchResult> {
  if (options.expectedPosition !== undefined && !options.isolate) {
    const fast = await applyAfterExpectedPosition(readDb, eventStore, projection, batchSize, options.expectedPosition);
    if (fast) return fast;
  }
  return applyLocked(readDb, eventStore, projection, batchSize, options);
}

const emptyResult = (projection: Projection, position: bigint, fields: Partial<BatchResult> = {}): BatchResult => ({
  projection: projection.name,
  position,
  eventsRead: 0,
  changes: NO_CHANGES,
  caughtUp: true,
  parked: 0,
  halted: false,
  ...fields,
});

/**
 * The follower's path: 1 read of the event store, then BEGIN, one UPDATE that locks the checkpoint
 * row and moves it only if it still is where the follower left it, the projection's writes, COMMIT.
 * Nothing to read costs no read-database round trip at all. Undefined when the checkpoint moved.
 */
async function applyAfterExpectedPosition(
  readDb: Kysely<ProjectionTables>,
  eventStore: EventStoreDb,
  projection: Projection,
  batchSize: number,
  expected: bigint,
): Promise<BatchResult | undefined> {
  const events = await readAll(eventStore, { after: expected, limit: batchSize });
  if (events.length === 0) return emptyResult(projection, expected);
  const position = events[events.length - 1]!.position;
  return readDb.transaction().execute(async (trx) => {
    if (!(await advanceCheckpointFrom(trx, projection.name, expected, position))) return undefined;
    const applied = await traceProjectionApply(projection.name, events, () => applyEvents(trx, projection, events));
    return emptyResult(projection, position, {
      eventsRead: events.length,
      changes: applied.changes,
      caughtUp: events.length < batchSize,
    });
  });
}

async function applyLocked(
  readDb: Kysely<ProjectionTables>,
  eventStore: EventStoreDb,
  projection: Projection,
  batchSize: number,
  options: BatchOptions,
): Promise<BatchResult> {
  return readDb.transaction().execute(async (trx) => {
    const checkpoint = await lockCheckpoint(trx, projection.name);
    const result = (fields: Partial<BatchResult>): BatchResult => emptyResult(projection, checkpoint.position, fields);
    if (checkpoint.state === 'halted') return result({ halted: true });

    const events = await readAll(eventStore, { after: checkpoint.position, limit: batchSize });
    const applied = await traceProjectionApply(projection.name, events, () =>
      applyEvents(trx, projection, events, options),
    );
    if (applied.poisoned.length > 0) await parkEvents(trx, projection.name, applied.poisoned);
    const position = applied.lastPosition ?? checkpoint.position;
    if (position !== checkpoint.position) await saveCheckpoint(trx, projection.name, position);
    if (applied.haltedAt) {
      await haltCheckpoint(
        trx,
        projection.name,
        `event ${applied.haltedAt.event.eventId} at ${applied.haltedAt.event.position}: ${applied.haltedAt.error}`,
      );
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
