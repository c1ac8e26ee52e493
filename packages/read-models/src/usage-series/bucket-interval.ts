import { sql, type RawBuilder } from 'kysely';

/** The bucket lengths of the billing analytics (usage series, payment and revenue analytics), in UTC. */
export type BucketInterval = 'hour' | 'day' | 'month';
export const BUCKET_INTERVALS: readonly BucketInterval[] = Object.freeze(['hour', 'day', 'month'] as const);

/**
 * The start of the UTC bucket of `interval` holding a timestamptz column. A literal, not a parameter:
 * SELECT and GROUP BY must hold the very same expression. Safe: checked against a closed set.
 */
export function bucketStartOf(column: string, interval: BucketInterval): RawBuilder<Date> {
  if (!BUCKET_INTERVALS.includes(interval)) throw new RangeError(`unknown interval ${String(interval)}`);
  return sql<Date>`date_trunc(${sql.lit(interval)}, ${sql.ref(column)}, 'UTC')`;
}
