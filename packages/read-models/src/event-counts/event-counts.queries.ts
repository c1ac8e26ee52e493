import { sql, type Kysely } from 'kysely';
import type { EventCountsTables } from './event-counts.table';

export type AnalyticsInterval = 'hour' | 'day' | 'week' | 'month';
const INTERVALS: readonly AnalyticsInterval[] = ['hour', 'day', 'week', 'month'];

/**
 * Events per bucket of `interval` (UTC) between `from` (inclusive) and `to` (exclusive), summed from the
 * hourly `event_counts`: empty buckets are left out. `organizationIds` limits the sum to those
 * organizations' events (none at all for an empty list); every organization's when absent.
 */
export async function readEventBuckets(
  db: Kysely<EventCountsTables>,
  filter: {
    types?: readonly string[];
    organizationIds?: readonly string[];
    from: Date;
    to: Date;
    interval: AnalyticsInterval;
  },
): Promise<{ start: string; count: number }[]> {
  if (filter.organizationIds?.length === 0) return [];
  // A literal, not a parameter: SELECT and GROUP BY must hold the very same expression. Safe: a closed set.
  if (!INTERVALS.includes(filter.interval)) throw new RangeError(`unknown interval ${filter.interval}`);
  const start = sql<Date>`date_trunc(${sql.lit(filter.interval)}, hour, 'UTC')`;
  const rows = await db
    .selectFrom('event_counts')
    .select([start.as('start'), sql<string>`sum(count)`.as('count')])
    .where('hour', '>=', filter.from)
    .where('hour', '<', filter.to)
    .$if((filter.types?.length ?? 0) > 0, (query) => query.where('type', 'in', filter.types as string[]))
    .$if(filter.organizationIds !== undefined, (query) =>
      query.where('organization_id', 'in', filter.organizationIds as string[]),
    )
    .groupBy(start)
    .orderBy(start)
    .execute();
  return rows.map((row) => ({ start: new Date(row.start).toISOString(), count: Number(row.count) }));
}
