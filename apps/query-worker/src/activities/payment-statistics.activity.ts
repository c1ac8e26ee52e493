import type { Kysely } from 'kysely';
import type { ReportCurrencyStatistics } from '@gyroscops/contracts';
import { figuresByCurrency, type PaymentReadTables } from '@gyroscops/read-models';

export interface PaymentStatisticsInput {
  organizationId: string;
  /** Created at or after (inclusive), ISO. */
  from: string;
  /** Created before (exclusive), ISO. */
  to: string;
}

/**
 * Payment statistics of an organization over a creation range, per currency and status, by scanning
 * the payments read model (live payments only: deleted ones have left it). Sums stay in integer minor
 * units (bigint) and become decimal strings of their own currency only at the end (figuresByCurrency).
 */
export function createPaymentStatistics(readDb: Kysely<PaymentReadTables>) {
  return async function paymentStatistics(
    input: PaymentStatisticsInput,
  ): Promise<Record<string, ReportCurrencyStatistics>> {
    // Scans the organization's payments of the range through payments_org_created (organization_id, created_at, ...).
    const rows = await readDb
      .selectFrom('payments')
      .select((eb) => [
        'currency',
        'status',
        eb.fn.countAll<string>().as('count'),
        eb.fn.sum<string>('amount_minor').as('amount_minor'),
      ])
      .where('organization_id', '=', input.organizationId)
      .where('created_at', '>=', new Date(input.from))
      .where('created_at', '<', new Date(input.to))
      .groupBy(['currency', 'status'])
      .orderBy('currency')
      .orderBy('status')
      .execute();
    return figuresByCurrency(
      rows.map((row) => ({
        currency: row.currency,
        status: row.status,
        count: row.count,
        amountMinor: row.amount_minor,
      })),
    );
  };
}
