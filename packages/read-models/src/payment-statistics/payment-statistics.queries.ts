import { sql, type Kysely } from 'kysely';
import { formatAmount } from '@gyroscops/domain';
import type { PaymentStatisticsTables } from './payment-statistics.table';

export interface StatisticsFilter {
  organizationId: string;
  /** First UTC day counted, YYYY-MM-DD (inclusive). */
  fromDay?: string;
  /** UTC day counting stops at, YYYY-MM-DD (exclusive). */
  toDay?: string;
  currency?: string;
}

export interface CurrencyFigures {
  count: number;
  totalAmount: string;
  averageAmount: string;
  byStatus: Record<string, { count: number; amount: string }>;
}

/** Rounds half up: the average of 1.00 and 2.00 is 1.50, of 0.01 and 0.02 is 0.02. */
const averageOf = (total: bigint, count: bigint) => (count === 0n ? 0n : (2n * total + count) / (2n * count));

/**
 * Payment figures per currency from `payment_statistics`: a few rows per day and status, never a scan
 * of the payments. Amounts are summed in minor units and formatted in each currency's exponent.
 */
export async function readPaymentStatistics(db: Kysely<PaymentStatisticsTables>, filter: StatisticsFilter): Promise<Record<string, CurrencyFigures>> {
  const rows = await db
    .selectFrom('payment_statistics')
    .select(['currency', 'status', sql<string>`sum(count)`.as('count'), sql<string>`sum(amount_minor)`.as('amount')])
    .where('organization_id', '=', filter.organizationId)
    .$if(filter.fromDay !== undefined, (query) => query.where('day', '>=', filter.fromDay as string))
    .$if(filter.toDay !== undefined, (query) => query.where('day', '<', filter.toDay as string))
    .$if(filter.currency !== undefined, (query) => query.where('currency', '=', filter.currency as string))
    .groupBy(['currency', 'status'])
    .orderBy('currency')
    .orderBy('status')
    .execute();
  const totals = new Map<string, { count: bigint; amount: bigint; byStatus: CurrencyFigures['byStatus'] }>();
  for (const row of rows) {
    const count = BigInt(row.count);
    const amount = BigInt(row.amount);
    if (count === 0n) continue;
    const entry = totals.get(row.currency) ?? { count: 0n, amount: 0n, byStatus: {} };
    entry.count += count;
    entry.amount += amount;
    entry.byStatus[row.status] = { count: Number(count), amount: formatAmount(amount, row.currency) };
    totals.set(row.currency, entry);
  }
  return Object.fromEntries(
    [...totals].map(([currency, entry]) => [
      currency,
      {
        count: Number(entry.count),
        totalAmount: formatAmount(entry.amount, currency),
        averageAmount: formatAmount(averageOf(entry.amount, entry.count), currency),
        byStatus: entry.byStatus,
      },
    ]),
  );
}
