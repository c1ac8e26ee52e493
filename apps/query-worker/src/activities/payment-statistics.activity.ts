import type { Kysely } from 'kysely';
import type { ReportCurrencyStatistics } from '@gyroscops/contracts';
import { formatStoredAmount } from '@gyroscops/domain';
import type { PaymentReadTables } from '@gyroscops/read-models';

export interface PaymentStatisticsInput {
  organizationId: string;
  /** Created at or after (inclusive), ISO. */
  from: string;
  /** Created before (exclusive), ISO. */
  to: string;
}

/** totalMinor / count, rounded half up (amounts are positive): the average a person computes by hand. */
const averageOf = (totalMinor: bigint, count: bigint): bigint => (count === 0n ? 0n : (2n * totalMinor + count) / (2n * count));

/**
 * Payment statistics of an organization over a creation range, per currency and status, by scanning
 * the payments read model (live payments only: deleted ones have left it). Sums stay in integer minor
 * units (bigint) and become decimal strings of their own currency only at the end.
 */
export function createPaymentStatistics(readDb: Kysely<PaymentReadTables>) {
  return async function paymentStatistics(input: PaymentStatisticsInput): Promise<Record<string, ReportCurrencyStatistics>> {
    // Scans the organization's payments of the range through payments_org_created (organization_id, created_at, ...).
    const rows = await readDb
      .selectFrom('payments')
      .select((eb) => ['currency', 'status', eb.fn.countAll<string>().as('count'), eb.fn.sum<string>('amount_minor').as('amount_minor')])
      .where('organization_id', '=', input.organizationId)
      .where('created_at', '>=', new Date(input.from))
      .where('created_at', '<', new Date(input.to))
      .groupBy(['currency', 'status'])
      .orderBy('currency')
      .orderBy('status')
      .execute();
    const byCurrency = new Map<string, { count: bigint; total: bigint; byStatus: ReportCurrencyStatistics['byStatus'] }>();
    for (const row of rows) {
      // pg returns count and sum of int8 as strings: BigInt, never Number, before adding them up.
      const count = BigInt(row.count);
      const amount = BigInt(row.amount_minor);
      const entry = byCurrency.get(row.currency) ?? { count: 0n, total: 0n, byStatus: {} };
      entry.count += count;
      entry.total += amount;
      entry.byStatus[row.status] = { count: Number(count), amount: formatStoredAmount(amount, row.currency) };
      byCurrency.set(row.currency, entry);
    }
    return Object.fromEntries(
      [...byCurrency].map(([currency, entry]) => [
        currency,
        {
          count: Number(entry.count),
          totalAmount: formatStoredAmount(entry.total, currency),
          averageAmount: formatStoredAmount(averageOf(entry.total, entry.count), currency),
          byStatus: entry.byStatus,
        },
      ]),
    );
  };
}
