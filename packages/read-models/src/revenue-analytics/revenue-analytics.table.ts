import type { ColumnType } from 'kysely';
import type { InvoiceStatus } from '@gyroscops/domain';

type Int8 = ColumnType<string, string | bigint, string | bigint>;

/**
 * Invoices per organization, currency, UTC day of issue and current status: how many, their totals,
 * what was paid and refunded of them. An invoice moves between statuses, never between days.
 */
export interface RevenueAnalyticsTable {
  organization_id: string;
  currency: string;
  /** Midnight UTC of the day the invoice was issued. */
  day: ColumnType<Date, Date | string, Date | string>;
  status: InvoiceStatus;
  count: Int8;
  total_minor: Int8;
  paid_minor: Int8;
  refunded_minor: Int8;
}

/** The projection's memory of each invoice: its folded state, hence the row it is counted in now. */
export interface RevenueAnalyticsMembersTable {
  invoice_id: string;
  /** The domain state, bigint fields as strings. */
  state: ColumnType<Record<string, unknown>, string, string>;
  version: number;
}

export interface RevenueAnalyticsTables {
  revenue_analytics: RevenueAnalyticsTable;
  revenue_analytics_members: RevenueAnalyticsMembersTable;
}
