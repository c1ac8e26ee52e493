import { sql, type Kysely } from 'kysely';
import { figuresByCurrency, type CurrencyFigures } from './currency-figures';
import type { PaymentStatisticsTables } from './payment-statistics.table';

export interface StatisticsFilter {
  organizationId: string;
  /** First UTC day counted, YYYY-MM-DD (inclusive). */
  fromDay?: string;
  /** UTC day counting stops at, YYYY-MM-DD (exclusive). */
  toDay?: string;
  currency?: string;
}

/**
 * Payment figures per currency from `payment_statistics`: a few rows per day and status, never a scan
 * of the payments. Amounts are summed in minor units and formatted in each currency's exponent.
 */
export async function readPaymentStatistics(
  db: Kysely<PaymentStatisticsTables>,
  filter: StatisticsFilter,
): Promise<Record<string, CurrencyFigures>> {
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
  return figuresByCurrency(
    rows.map((row) => ({ currency: row.currency, status: row.status, count: row.count, amountMinor: row.amount })),
  );
}
