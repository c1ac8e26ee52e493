import { toInvoiceView, type InvoiceView, type IssuedInvoiceState } from '@gyroscops/domain';
import type { InvoiceRow, NewInvoiceRow } from './invoices.table';

const instant = (value: Date): string => value.toISOString();
const nullableInstant = (value: Date | null): string | null => (value === null ? null : value.toISOString());

/** A stored row back to the domain state, so the projection folds new events with the domain's own evolve. */
export function rowToInvoiceState(row: InvoiceRow): IssuedInvoiceState {
  return {
    kind: 'issued',
    version: row.version,
    invoiceId: row.invoice_id,
    organizationId: row.organization_id,
    number: row.number,
    cycleSequence: row.cycle_sequence,
    currency: row.currency,
    periodStart: instant(row.period_start),
    periodEnd: instant(row.period_end),
    lines: row.lines,
    totalMinor: BigInt(row.total_minor),
    dunning: row.dunning,
    status: row.status,
    amountPaidMinor: BigInt(row.amount_paid_minor),
    amountRefundedMinor: BigInt(row.amount_refunded_minor),
    paymentIds: row.payment_ids,
    paymentInFlight: row.payment_in_flight,
    paidPaymentId: row.paid_payment_id,
    attempts: row.attempts,
    declinedAttempts: row.declined_attempts,
    nextAttemptAt: nullableInstant(row.next_attempt_at),
    refundIds: row.refund_ids,
    issuedAt: instant(row.issued_at),
    paidAt: nullableInstant(row.paid_at),
    voidedAt: nullableInstant(row.voided_at),
    voidReason: row.void_reason,
    updatedAt: instant(row.updated_at),
  };
}

export function invoiceStateToRow(
  state: IssuedInvoiceState,
  streamVersion: number,
  lastPosition: bigint,
): NewInvoiceRow {
  return {
    invoice_id: state.invoiceId,
    organization_id: state.organizationId,
    number: state.number,
    cycle_sequence: state.cycleSequence,
    currency: state.currency,
    status: state.status,
    period_start: state.periodStart,
    period_end: state.periodEnd,
    lines: JSON.stringify(state.lines),
    total_minor: state.totalMinor.toString(),
    amount_paid_minor: state.amountPaidMinor.toString(),
    amount_refunded_minor: state.amountRefundedMinor.toString(),
    dunning: JSON.stringify(state.dunning),
    payment_ids: JSON.stringify(state.paymentIds),
    payment_in_flight: state.paymentInFlight,
    paid_payment_id: state.paidPaymentId,
    attempts: state.attempts,
    declined_attempts: state.declinedAttempts,
    next_attempt_at: state.nextAttemptAt,
    refund_ids: JSON.stringify(state.refundIds),
    issued_at: state.issuedAt,
    paid_at: state.paidAt,
    voided_at: state.voidedAt,
    void_reason: state.voidReason,
    updated_at: state.updatedAt,
    version: state.version,
    stream_version: streamVersion,
    last_position: lastPosition.toString(),
  };
}

/** The API view of a row (a row is always an issued invoice). */
export function rowToInvoiceView(row: InvoiceRow): InvoiceView {
  const view = toInvoiceView(rowToInvoiceState(row));
  if (!view) throw new Error(`invoice row ${row.invoice_id} has no view`);
  return view;
}
