import type { ColumnType, Insertable, Selectable } from 'kysely';
import type { Metadata, PaymentStatus } from '@gyroscops/domain';

type Int8 = ColumnType<string, string | bigint, string | bigint>;

/** One row per live payment: the query side's view, plus what it takes to keep folding events into it. */
export interface PaymentsTable {
  payment_id: string;
  organization_id: string;
  user_id: string;
  /** Integer minor units: never floating point. */
  amount_minor: Int8;
  currency: string;
  status: PaymentStatus;
  description: string | null;
  refunded_minor: Int8;
  metadata: ColumnType<Metadata, string, string>;
  /** The invoice the payment pays; null for a payment of its own (and absent from inserts written before it existed). */
  invoice_id: ColumnType<string | null, string | null | undefined, string | null>;
  failure_reason: string | null;
  gateway_reference: string | null;
  created_at: ColumnType<Date, string | Date, string | Date>;
  updated_at: ColumnType<Date, string | Date, string | Date>;
  version: number;
  /** Global position of the last event folded in. */
  last_position: Int8;
}

export interface PaymentReadTables {
  payments: PaymentsTable;
}
export type PaymentRow = Selectable<PaymentsTable>;
export type NewPaymentRow = Insertable<PaymentsTable>;
