import type { ColumnType, Insertable, Selectable } from 'kysely';
import type { InvoiceLine, InvoiceStatus } from '@gyroscops/domain';

type Int8 = ColumnType<string, string | bigint, string | bigint>;
type Instant = ColumnType<Date, string | Date, string | Date>;
type NullableInstant = ColumnType<Date | null, string | Date | null, string | Date | null>;
type Json<T> = ColumnType<T, string, string>;

/** One row per issued invoice: the query side's view, plus what it takes to keep folding events into it. */
export interface InvoicesTable {
  invoice_id: string;
  organization_id: string;
  number: string;
  cycle_sequence: number;
  currency: string;
  status: InvoiceStatus;
  period_start: Instant;
  period_end: Instant;
  lines: Json<InvoiceLine[]>;
  /** Integer minor units: never floating point. */
  total_minor: Int8;
  amount_paid_minor: Int8;
  amount_refunded_minor: Int8;
  dunning: Json<string[]>;
  payment_ids: Json<string[]>;
  payment_in_flight: string | null;
  paid_payment_id: string | null;
  attempts: number;
  declined_attempts: number;
  next_attempt_at: NullableInstant;
  refund_ids: Json<string[]>;
  issued_at: Instant;
  paid_at: NullableInstant;
  voided_at: NullableInstant;
  void_reason: string | null;
  updated_at: Instant;
  /** The domain's version: invoice events folded. */
  version: number;
  /** The stream version of the last event folded in: the guard against folding an event twice. */
  stream_version: number;
  /** Global position of the last event folded in. */
  last_position: Int8;
}

export interface InvoiceReadTables {
  invoices: InvoicesTable;
}
export type InvoiceRow = Selectable<InvoicesTable>;
export type NewInvoiceRow = Insertable<InvoicesTable>;
