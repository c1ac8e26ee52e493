import { sql, type Kysely, type Transaction } from 'kysely';
import type { RecordedEvent } from '@gyroscops/event-store';
import type { DeadLetterRow, ProjectionTables } from './tables';

/**
 * Parks poison events in the same transaction that moves the checkpoint past them. A rebuild parks
 * them in its shadow schema's copy of the table (`schema`): they replace the live ones at the swap.
 */
export async function parkEvents(
  trx: Transaction<ProjectionTables>,
  projection: string,
  poisoned: { event: RecordedEvent; error: string }[],
  schema?: string,
): Promise<void> {
  await (schema ? trx.withSchema(schema) : trx)
    .insertInto('projection_dead_letters')
    .values(
      poisoned.map(({ event, error }) => ({
        projection,
        position: event.position.toString(),
        event_id: event.eventId,
        event_type: event.type,
        error,
      })),
    )
    .onConflict((conflict) => conflict.columns(['projection', 'event_id']).doUpdateSet({ error: sql`excluded.error` }))
    .execute();
}

export interface DeadLetter {
  id: string;
  projection: string;
  position: bigint;
  eventId: string;
  eventType: string;
  error: string;
  parkedAt: Date;
}

const toDeadLetter = (row: DeadLetterRow): DeadLetter => ({
  id: String(row.id),
  projection: row.projection,
  position: BigInt(row.position),
  eventId: row.event_id,
  eventType: row.event_type,
  error: row.error,
  parkedAt: row.parked_at,
});

export async function listDeadLetters(db: Kysely<ProjectionTables>, projection?: string): Promise<DeadLetter[]> {
  const rows = await db
    .selectFrom('projection_dead_letters')
    .selectAll()
    .$if(projection !== undefined, (query) => query.where('projection', '=', projection as string))
    .orderBy('position')
    .execute();
  return rows.map(toDeadLetter);
}

export async function countDeadLetters(db: Kysely<ProjectionTables>): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('projection_dead_letters')
    .select(['projection', sql<string>`count(*)`.as('count')])
    .groupBy('projection')
    .execute();
  return new Map(rows.map((row) => [row.projection, Number(row.count)]));
}
