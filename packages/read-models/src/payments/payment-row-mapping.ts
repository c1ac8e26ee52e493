import { toPaymentView, type ExistingPaymentState, type PaymentView } from '@gyroscops/domain';
import type { NewPaymentRow, PaymentRow } from './payments.table';

/** A stored row back to the domain state, so the projection folds new events with the domain's own evolve. */
export function rowToState(row: PaymentRow): ExistingPaymentState {
  return {
    kind: 'live',
    version: row.version,
    paymentId: row.payment_id,
    organizationId: row.organization_id,
    userId: row.user_id,
    amountMinor: BigInt(row.amount_minor),
    currency: row.currency,
    description: row.description,
    metadata: row.metadata,
    invoiceId: row.invoice_id,
    status: row.status,
    refundedMinor: BigInt(row.refunded_minor),
    // The view does not show refunds in flight: their answer (PaymentRefunded or RefundDeclined) folds without them.
    refundsInFlight: {},
    // Nor the refund ids already used: only the write side decides on them.
    requestedRefundIds: [],
    failureReason: row.failure_reason,
    gatewayReference: row.gateway_reference,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    deletedAt: null,
  };
}

export function stateToRow(state: ExistingPaymentState, lastPosition: bigint): NewPaymentRow {
  return {
    payment_id: state.paymentId,
    organization_id: state.organizationId,
    user_id: state.userId,
    amount_minor: state.amountMinor.toString(),
    currency: state.currency,
    status: state.status,
    description: state.description,
    refunded_minor: state.refundedMinor.toString(),
    metadata: JSON.stringify(state.metadata),
    invoice_id: state.invoiceId,
    failure_reason: state.failureReason,
    gateway_reference: state.gatewayReference,
    created_at: state.createdAt,
    updated_at: state.updatedAt,
    version: state.version,
    last_position: lastPosition.toString(),
  };
}

/** The API view of a row (a row is always a live payment). */
export function rowToView(row: PaymentRow): PaymentView {
  const view = toPaymentView(rowToState(row));
  if (!view) throw new Error(`payment row ${row.payment_id} has no view`);
  return view;
}
