import { sql } from 'kysely';
import { POSITIONS_PER_TRANSACTION } from './append-request';
import type { EventStoreDb } from './tables';
import { safeTransactionBound } from './read-all';

const toPosition = (value: string | null | undefined): bigint => (value == null ? 0n : BigInt(value));

/** The highest committed position (0n when the store is empty). A reader may not see it yet: see safeHeadPosition. */
export async function headPosition(db: EventStoreDb): Promise<bigint> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.max('position').as('head'))
    .executeTakeFirst();
  return toPosition(row?.head);
}

/**
 * The highest position a gap-safe reader (readAll) can see now (0n when none). Everything at or
 * below it is final, so a filtered reader may move its checkpoint there.
 */
export async function safeHeadPosition(db: EventStoreDb): Promise<bigint> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.max('position').as('head'))
    .where('transaction_id', '<', safeTransactionBound)
    .where('position', '<', sql<string>`${safeTransactionBound}::text::bigint * ${sql.lit(POSITIONS_PER_TRANSACTION)}`)
    .executeTakeFirst();
  return toPosition(row?.head);
}

/**
 * How many committed events lie after `after`, counting at most `max` (so a reader far behind costs
 * a bounded scan): lag in events, since positions are sparse and their difference means nothing.
 */
export async function countEventsAfter(db: EventStoreDb, after: bigint, max = 10_000): Promise<number> {
  if (!Number.isSafeInteger(max) || max < 0) throw new RangeError(`max must be a non-negative integer (got ${max})`);
  const row = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('events')
        .select(sql`1`.as('one'))
        .where('position', '>', after.toString())
        .limit(max)
        .as('capped'),
    )
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/** When the first committed event after `after` was recorded (undefined when there is none): lag in time. */
export async function firstRecordedAfter(db: EventStoreDb, after: bigint): Promise<Date | undefined> {
  const row = await db
    .selectFrom('events')
    .select('recorded_at')
    .where('position', '>', after.toString())
    .orderBy('position')
    .limit(1)
    .executeTakeFirst();
  return row?.recorded_at;
}
