import type { ColumnType } from 'kysely';
import type { PaymentStatus } from '@gyroscops/domain';

type Int8 = ColumnType<string, string | bigint, string | bigint>;

/** Payments counted per organization, currency, creation day and current status: statistics without scanning payments. */
export interface PaymentStatisticsTable {
  organization_id: string;
  currency: string;
  /** The UTC day the payment was created, 'YYYY-MM-DD'. */
  day: ColumnType<string, string, string>;
  status: PaymentStatus;
  count: Int8;
  amount_minor: Int8;
}

/** The projection's memory of each payment: which bucket it is counted in now (its folded state). */
export interface PaymentStatisticsMembersTable {
  payment_id: string;
  /** The domain state, bigint fields as strings. */
  state: ColumnType<Record<string, unknown>, string, string>;
  version: number;
}

export interface PaymentStatisticsTables {
  payment_statistics: PaymentStatisticsTable;
  payment_statistics_members: PaymentStatisticsMembersTable;
}
