import { sql } from 'kysely';
import { POSITIONS_PER_TRANSACTION } from './append-request';
import type { EventStoreDb } from './tables';
import { recordedEventColumns, toRecordedEvent, type RecordedEvent } from './recorded-event';

export interface ReadAllOptions {
  /** The checkpoint: the position of the last event the reader has handled (0n to start). */
  after: bigint;
  limit: number;
  /** Only these event types. See the note on checkpoints below. */
  types?: readonly string[];
}

/**
 * The oldest transaction that may still commit, in the reading statement's own snapshot. Every
 * transaction with a smaller xid has ended, so the rows below it can no longer change.
 */
export const safeTransactionBound = sql<string>`pg_snapshot_xmin(pg_current_snapshot())`;

/**
 * Events after a checkpoint, in global order, and never one that could later turn up behind it.
 *
 * Why this is gap-safe: a position is `xid * 1,000,000 + index in the transaction`, so the events of
 * one transaction are contiguous and positions order transactions by xid. A naive reader of
 * `position > checkpoint` skips an event whose transaction took its position (here: its xid) before
 * another one but commits after it. So this reader returns only rows whose transaction id is below
 * `pg_snapshot_xmin(pg_current_snapshot())`: every transaction that can still commit has an xid at
 * or above that bound (a transaction with no xid yet gets a larger one), and every transaction below
 * it has ended and is visible to the statement. Nothing can appear below the bound later, so a reader
 * that moves its checkpoint to the last position it handled cannot skip anything. (A sequence would
 * not do: a transaction can get its xid first and still draw the larger sequence value.)
 *
 * The cost: while any write transaction is open, in any database of the Postgres cluster, events
 * after its xid wait. A long or idle-in-transaction session therefore shows up as projection lag.
 *
 * Checkpoints with `types`: a page shorter than `limit` means nothing matches up to the safe bound,
 * but the checkpoint can only move to the last event returned. To move past long stretches of other
 * types, take `safeHeadPosition(db)` BEFORE reading and, when the page is not full, advance the
 * checkpoint to the larger of it and the last position returned.
 */
export async function readAll(db: EventStoreDb, options: ReadAllOptions): Promise<RecordedEvent[]> {
  assertLimit(options.limit);
  if (options.types?.length === 0) return [];
  const rows = await db
    .selectFrom('events')
    .select(recordedEventColumns)
    .where('position', '>', options.after.toString())
    .where('transaction_id', '<', safeTransactionBound)
    // The same bound on the primary key, so Postgres can stop the index scan there.
    .where('position', '<', sql<string>`${safeTransactionBound}::text::bigint * ${sql.lit(POSITIONS_PER_TRANSACTION)}`)
    .$if(options.types !== undefined, (qb) => qb.where('type', 'in', options.types ?? []))
    .orderBy('position')
    .limit(options.limit)
    .execute();
  return rows.map(toRecordedEvent);
}

/** Throws unless `limit` is a positive integer: a page of 0 would stall a reader forever. */
export function assertLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new RangeError(`limit must be a positive integer (got ${limit})`);
}
