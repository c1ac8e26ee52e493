import { sql, type Transaction } from 'kysely';
import type { RecordedEvent } from '@gyroscops/event-store';
import { isTransientDatabaseError, ProjectionApplyError } from './projection-errors';
import { NO_CHANGES, type Projection, type ProjectionChanges } from './projection';

export interface AppliedEvents {
  changes: ProjectionChanges;
  /** Events the projection could not apply (in isolation mode). */
  poisoned: { event: RecordedEvent; error: string }[];
  /** Position of the last event the batch accounts for: applied, skipped or poisoned. */
  lastPosition: bigint | undefined;
  /** Isolation mode with the `halt` policy stopped before this event. */
  haltedAt?: { event: RecordedEvent; error: string };
}

function mergeChanges(into: ProjectionChanges, more: ProjectionChanges): ProjectionChanges {
  return {
    paymentIds: [...new Set([...into.paymentIds, ...more.paymentIds])],
    organizationIds: [...new Set([...into.organizationIds, ...more.organizationIds])],
  };
}

async function applyOrClassify(
  projection: Projection,
  events: RecordedEvent[],
  trx: Transaction<any>,
): Promise<ProjectionChanges> {
  try {
    return await projection.apply(events, trx);
  } catch (error) {
    if (isTransientDatabaseError(error)) throw error;
    throw new ProjectionApplyError(projection.name, error);
  }
}

/**
 * Applies a page of events inside the caller's transaction. Normally as one batch; in isolation mode
 * (after the batch kept failing) event by event behind savepoints, so the one poison event can be
 * told apart from the good ones around it, and the good ones still land.
 */
export async function applyEvents(
  trx: Transaction<any>,
  projection: Projection,
  events: RecordedEvent[],
  options: { isolate?: boolean } = {},
): Promise<AppliedEvents> {
  const handled = (event: RecordedEvent) => projection.eventTypes.includes(event.type);
  const lastPosition = events[events.length - 1]?.position;
  if (!options.isolate) {
    const relevant = events.filter(handled);
    const changes = relevant.length > 0 ? await applyOrClassify(projection, relevant, trx) : NO_CHANGES;
    return { changes, poisoned: [], lastPosition };
  }

  let changes = NO_CHANGES;
  const poisoned: AppliedEvents['poisoned'] = [];
  let last: bigint | undefined;
  for (const event of events) {
    if (handled(event)) {
      await sql`SAVEPOINT projection_event`.execute(trx);
      try {
        changes = mergeChanges(changes, await applyOrClassify(projection, [event], trx));
        await sql`RELEASE SAVEPOINT projection_event`.execute(trx);
      } catch (error) {
        if (!(error instanceof ProjectionApplyError)) throw error;
        await sql`ROLLBACK TO SAVEPOINT projection_event`.execute(trx);
        const failure = { event, error: error.message };
        if (projection.poisonPolicy === 'halt') return { changes, poisoned, lastPosition: last, haltedAt: failure };
        poisoned.push(failure);
      }
    }
    last = event.position;
  }
  return { changes, poisoned, lastPosition: last };
}
