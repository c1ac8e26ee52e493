import { sql, type Kysely } from 'kysely';
import { formatStoredAmount } from '@gyroscops/domain';
import { bucketStartOf, type BucketInterval } from '../usage-series/bucket-interval';
import type { PaymentAnalyticsTables } from './payment-analytics.table';

export interface PaymentAnalyticsFilter {
  /** The organizations counted; every organization when absent (the admin's view), none for an empty list. */
  organizationIds?: readonly string[];
  /** Payments created at or after it (by their hour of creation, inclusive). */
  from: Date;
  /** Payments created before it (by their hour of creation, exclusive). */
  to: Date;
  interval: BucketInterval;
  currency?: string;
}

/** The statuses of a payment whose charge went through (refunds come after a capture). */
const PROCESSED = new Set(['processed', 'partially_refunded', 'refunded']);

export interface PaymentAnalyticsBucket {
  start: string;
  currency: string;
  /** Payments created in the bucket. */
  count: number;
  /** Their amount. */
  amount: string;
  /** Of them, how many were charged (processed, partially refunded or refunded), and for how much. */
  processed: number;
  processedAmount: string;
  /** Of them, how many were declined. */
  failed: number;
  /** What was refunded of them so far. */
  refundedAmount: string;
}

/**
 * Payments per bucket of `interval` (UTC) of their creation and per currency, from the hourly rows
 * of `payment_analytics`: sums in integer minor units, formatted in each currency's exponent only at
 * the end. Buckets without any payment are left out; the order is by start, then currency.
 */
export async function readPaymentAnalytics(
  db: Kysely<PaymentAnalyticsTables>,
  filter: PaymentAnalyticsFilter,
): Promise<PaymentAnalyticsBucket[]> {
  if (filter.organizationIds?.length === 0) return [];
  const start = bucketStartOf('hour', filter.interval);
  const rows = await db
    .selectFrom('payment_analytics')
    .select([
      start.as('start'),
      'currency',
      'status',
      sql<string>`sum(count)::text`.as('count'),
      sql<string>`sum(amount_minor)::text`.as('amount'),
      sql<string>`sum(refunded_minor)::text`.as('refunded'),
    ])
    .where('hour', '>=', filter.from)
    .where('hour', '<', filter.to)
    .$if(filter.organizationIds !== undefined, (query) =>
      query.where('organization_id', 'in', filter.organizationIds as string[]),
    )
    .$if(filter.currency !== undefined, (query) => query.where('currency', '=', filter.currency as string))
    .groupBy([start, 'currency', 'status'])
    .orderBy(start)
    .orderBy('currency')
    .execute();
  const buckets = new Map<
    string,
    {
      start: string;
      currency: string;
      count: bigint;
      amount: bigint;
      processed: bigint;
      processedAmount: bigint;
      failed: bigint;
      refunded: bigint;
    }
  >();
  for (const row of rows) {
    const startIso = new Date(row.start).toISOString();
    const key = `${startIso}\u0000${row.currency}`;
    const bucket = buckets.get(key) ?? {
      start: startIso,
      currency: row.currency,
      count: 0n,
      amount: 0n,
      processed: 0n,
      processedAmount: 0n,
      failed: 0n,
      refunded: 0n,
    };
    const count = BigInt(row.count);
    const amount = BigInt(row.amount);
    bucket.count += count;
    bucket.amount += amount;
    if (PROCESSED.has(row.status)) {
      bucket.processed += count;
      bucket.processedAmount += amount;
    }
    if (row.status === 'failed') bucket.failed += count;
    bucket.refunded += BigInt(row.refunded);
    buckets.set(key, bucket);
  }
  return [...buckets.values()]
    .filter((bucket) => bucket.count !== 0n)
    .map((bucket) => ({
      start: bucket.start,
      currency: bucket.currency,
      count: Number(bucket.count),
      amount: formatStoredAmount(bucket.amount, bucket.currency),
      processed: Number(bucket.processed),
      processedAmount: formatStoredAmount(bucket.processedAmount, bucket.currency),
      failed: Number(bucket.failed),
      refundedAmount: formatStoredAmount(bucket.refunded, bucket.currency),
    }));
}
