import { sql, type Kysely } from 'kysely';
import { formatStoredAmount } from '@gyroscops/domain';
import { bucketStartOf } from '../usage-series/bucket-interval';
import type { RevenueAnalyticsTables } from './revenue-analytics.table';

export interface RevenueAnalyticsFilter {
  /** The organizations counted; every organization when absent (the admin's view), none for an empty list. */
  organizationIds?: readonly string[];
  /** Invoices issued at or after it (by their UTC day of issue, inclusive). */
  from: Date;
  /** Invoices issued before it (by their UTC day of issue, exclusive). */
  to: Date;
  interval: 'day' | 'month';
  currency?: string;
}

/**
 * The invoices issued in one bucket, as they stand now: `invoiced` is their totals, and it splits into
 * what was `paid`, what is `outstanding` (open or past due), `uncollectible` and `voided`. `refunded`
 * is what went back of the paid amounts.
 */
export interface RevenueBucket {
  start: string;
  count: number;
  invoiced: string;
  paid: string;
  outstanding: string;
  uncollectible: string;
  voided: string;
  refunded: string;
}

interface Sums {
  count: bigint;
  invoiced: bigint;
  paid: bigint;
  outstanding: bigint;
  uncollectible: bigint;
  voided: bigint;
  refunded: bigint;
}

/**
 * Revenue per currency and bucket of `interval` (UTC) of the invoices' issue, from the daily rows of
 * `revenue_analytics`: integer minor units summed, formatted in each currency's exponent at the end.
 * Buckets without any invoice are left out.
 */
export async function readRevenueAnalytics(
  db: Kysely<RevenueAnalyticsTables>,
  filter: RevenueAnalyticsFilter,
): Promise<Record<string, { buckets: RevenueBucket[] }>> {
  if (filter.organizationIds?.length === 0) return {};
  const start = bucketStartOf('day', filter.interval);
  const rows = await db
    .selectFrom('revenue_analytics')
    .select([
      start.as('start'),
      'currency',
      'status',
      sql<string>`sum(count)::text`.as('count'),
      sql<string>`sum(total_minor)::text`.as('total'),
      sql<string>`sum(paid_minor)::text`.as('paid'),
      sql<string>`sum(refunded_minor)::text`.as('refunded'),
    ])
    .where('day', '>=', filter.from)
    .where('day', '<', filter.to)
    .$if(filter.organizationIds !== undefined, (query) =>
      query.where('organization_id', 'in', filter.organizationIds as string[]),
    )
    .$if(filter.currency !== undefined, (query) => query.where('currency', '=', filter.currency as string))
    .groupBy([start, 'currency', 'status'])
    .orderBy('currency')
    .orderBy(start)
    .execute();
  const byCurrency = new Map<string, Map<string, Sums>>();
  for (const row of rows) {
    const buckets = byCurrency.get(row.currency) ?? new Map<string, Sums>();
    const startIso = new Date(row.start).toISOString();
    const sums = buckets.get(startIso) ?? {
      count: 0n,
      invoiced: 0n,
      paid: 0n,
      outstanding: 0n,
      uncollectible: 0n,
      voided: 0n,
      refunded: 0n,
    };
    const total = BigInt(row.total);
    const paid = BigInt(row.paid);
    sums.count += BigInt(row.count);
    sums.invoiced += total;
    sums.paid += paid;
    sums.refunded += BigInt(row.refunded);
    if (row.status === 'open' || row.status === 'past_due') sums.outstanding += total - paid;
    else if (row.status === 'uncollectible') sums.uncollectible += total - paid;
    else if (row.status === 'void') sums.voided += total;
    buckets.set(startIso, sums);
    byCurrency.set(row.currency, buckets);
  }
  return Object.fromEntries(
    [...byCurrency].map(([currency, buckets]) => [
      currency,
      {
        buckets: [...buckets]
          .filter(([, sums]) => sums.count !== 0n)
          .map(([bucketStart, sums]) => ({
            start: bucketStart,
            count: Number(sums.count),
            invoiced: formatStoredAmount(sums.invoiced, currency),
            paid: formatStoredAmount(sums.paid, currency),
            outstanding: formatStoredAmount(sums.outstanding, currency),
            uncollectible: formatStoredAmount(sums.uncollectible, currency),
            voided: formatStoredAmount(sums.voided, currency),
            refunded: formatStoredAmount(sums.refunded, currency),
          })),
      },
    ]),
  );
}
