import type { ColumnType, Generated, Selectable } from 'kysely';

export interface SimulatedGatewayChargesTable {
  idempotency_key: string;
  payment_id: string;
  amount: string;
  currency: string;
  /** Calls received for this key, replays included. */
  attempts: Generated<number>;
  /** Times money actually moved for this key: must never exceed 1. */
  captures: Generated<number>;
  outcome: 'approved' | 'declined' | null;
  decline_reason: string | null;
  gateway_reference: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface SimulatedGatewayRefundsTable {
  idempotency_key: string;
  payment_id: string;
  refund_id: string;
  amount: string;
  currency: string;
  /** Calls received for this key, replays included. */
  attempts: Generated<number>;
  /** Times money actually moved back for this key: must never exceed 1. */
  refunds: Generated<number>;
  outcome: 'approved' | 'declined' | null;
  decline_reason: string | null;
  gateway_reference: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface SimulatedGatewayTables {
  simulated_gateway_charges: SimulatedGatewayChargesTable;
  simulated_gateway_refunds: SimulatedGatewayRefundsTable;
}
export type SimulatedChargeRow = Selectable<SimulatedGatewayChargesTable>;
