import type { Kysely } from 'kysely';
import { readAll, type EventStoreDb } from '@gyroscops/event-store';
import { applyEvents } from './apply-events';
import { listDeadLetters } from './dead-letters';
import { lockCheckpoint } from './projection-checkpoints';
import type { Projection } from './projection';
import type { ProjectionTables } from './tables';

export interface RetryOutcome {
  retried: number;
  stillFailing: number;
}

/**
 * Applies parked events again (after the projection's code was fixed), each in its own transaction
 * that holds the checkpoint lock, so it never interleaves with the live applier. An event that
 * applies is removed from the dead letters; one that still fails stays, with its new error.
 */
export async function retryDeadLetters(
  readDb: Kysely<ProjectionTables>,
  eventStore: EventStoreDb,
  projection: Projection,
): Promise<RetryOutcome> {
  const outcome: RetryOutcome = { retried: 0, stillFailing: 0 };
  for (const letter of await listDeadLetters(readDb, projection.name)) {
    const [event] = await readAll(eventStore, { after: letter.position - 1n, limit: 1 });
    await readDb.transaction().execute(async (trx) => {
      await lockCheckpoint(trx, projection.name);
      const applied =
        event?.eventId === letter.eventId ? await applyEvents(trx, projection, [event], { isolate: true }) : undefined;
      if (applied && applied.poisoned.length === 0 && !applied.haltedAt) {
        await trx.deleteFrom('projection_dead_letters').where('id', '=', letter.id).execute();
        outcome.retried += 1;
      } else {
        const error =
          applied?.poisoned[0]?.error ??
          applied?.haltedAt?.error ??
          `event ${letter.eventId} not found at position ${letter.position}`;
        await trx.updateTable('projection_dead_letters').set({ error }).where('id', '=', letter.id).execute();
        outcome.stillFailing += 1;
      }
    });
  }
  return outcome;
}
