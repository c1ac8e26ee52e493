import type { ColumnType } from 'kysely';
import type { PaymentStatus } from '@gyroscops/domain';

type Int8 = ColumnType<string, string | bigint, string | bigint>;

/**
 * Payments per organization, currency, UTC hour of creation and current status: how many, their
 * amounts and what was refunded of them. A payment moves between statuses, never between hours.
 */
export interface PaymentAnalyticsTable {
  organization_id: string;
  currency: string;
  hour: ColumnType<Date, Date | string, Date | string>;
  status: PaymentStatus;
  count: Int8;
  amount_minor: Int8;
  refunded_minor: Int8;
}

/** The projection's memory of each payment: its folded state, hence the row it is counted in now. */
export interface PaymentAnalyticsMembersTable {
  payment_id: string;
  /** The domain state, bigint fields as strings. */
  state: ColumnType<Record<string, unknown>, string, string>;
  version: number;
}

export interface PaymentAnalyticsTables {
  payment_analytics: PaymentAnalyticsTable;
  payment_analytics_members: PaymentAnalyticsMembersTable;
}
