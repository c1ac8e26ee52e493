import { sql, type Kysely } from 'kysely';
import { aggregatedQuantity, formatScaledDecimal, type Aggregation } from '@gyroscops/domain';
import { bucketStartOf, type BucketInterval } from './bucket-interval';
import type { UsageSeriesTables } from './usage-series.table';

export interface UsageSeriesFilter {
  organizationId: string;
  /** Hours at or after it are counted (inclusive). */
  from: Date;
  /** Hours before it are counted (exclusive). */
  to: Date;
  interval: BucketInterval;
  meter?: string;
}

export interface MeterUsageSeries {
  meter: string;
  /** How the quantities are made: the aggregation of the latest plan in force that priced the meter. */
  aggregation: Aggregation;
  /** Buckets with usage, in time order; a bucket without any record is left out. */
  buckets: { start: string; quantity: string }[];
}

/**
 * An organization's usage per meter and bucket of `interval` (UTC), rolled up from the hourly rows
 * of `usage_series`: the sum of sums for a `sum` meter, of counts for `count`, the largest of the
 * maxima for `max`. Quantities are exact decimal strings (summed as numerics, formatted from integers).
 */
export async function readUsageSeries(
  db: Kysely<UsageSeriesTables>,
  filter: UsageSeriesFilter,
): Promise<MeterUsageSeries[]> {
  const start = bucketStartOf('hour', filter.interval);
  const rows = await db
    .selectFrom('usage_series')
    .select([
      'meter',
      start.as('start'),
      sql<string>`sum(record_count)::text`.as('count'),
      sql<string>`sum(quantity_sum)::text`.as('sum'),
      sql<string>`max(quantity_max)::text`.as('max'),
    ])
    .where('organization_id', '=', filter.organizationId)
    .where('hour', '>=', filter.from)
    .where('hour', '<', filter.to)
    .$if(filter.meter !== undefined, (query) => query.where('meter', '=', filter.meter as string))
    .groupBy(['meter', start])
    .orderBy('meter')
    .orderBy(start)
    .execute();
  if (rows.length === 0) return [];
  const aggregations = new Map(
    (
      await db
        .selectFrom('usage_series_meters')
        .select(['meter', 'aggregation'])
        .where('organization_id', '=', filter.organizationId)
        .execute()
    ).map((row) => [row.meter, row.aggregation]),
  );
  const series = new Map<string, MeterUsageSeries>();
  for (const row of rows) {
    const aggregation = aggregations.get(row.meter) ?? 'sum';
    const entry = series.get(row.meter) ?? { meter: row.meter, aggregation, buckets: [] };
    const quantity = aggregatedQuantity(
      { count: Number(row.count), sum: BigInt(row.sum), max: BigInt(row.max) },
      aggregation,
    );
    entry.buckets.push({ start: new Date(row.start).toISOString(), quantity: formatScaledDecimal(quantity) });
    series.set(row.meter, entry);
  }
  return [...series.values()];
}
