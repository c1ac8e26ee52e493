import { sql } from 'kysely';
import type { EventStoreDb } from '../tables';

/**
 * Gives a stored stream the id it would have had when writers spelled ids as clients sent them
 * (`payment-ABCD…`). The append path refuses such ids now, so tests of the repair append under the
 * canonical id first and then move the rows (as the repair does, with the append-only trigger off
 * for this transaction only), so the store looks as the data written before does.
 */
export async function respellStreamAsBefore(db: EventStoreDb, streamId: string, spelledBefore: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`UPDATE streams SET stream_id = ${spelledBefore} WHERE stream_id = ${streamId}`.execute(trx);
    await sql`ALTER TABLE events DISABLE TRIGGER events_append_only`.execute(trx);
    await sql`UPDATE events SET stream_id = ${spelledBefore} WHERE stream_id = ${streamId}`.execute(trx);
    await sql`ALTER TABLE events ENABLE TRIGGER events_append_only`.execute(trx);
  });
}
