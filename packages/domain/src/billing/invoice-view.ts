import { formatStoredAmount } from '../money';
import type { InvoiceState, InvoiceStatus } from './invoice';
import type { InvoiceLine } from './pricing';

/** An invoice as GET /invoices/{invoiceId} shows it: amounts are canonical decimal strings. */
export interface InvoiceView {
  invoiceId: string;
  organizationId: string;
  number: string;
  status: InvoiceStatus;
  currency: string;
  periodStart: string;
  periodEnd: string;
  lines: InvoiceLine[];
  total: string;
  amountPaid: string;
  amountRefunded: string;
  paymentIds: string[];
  attempts: number;
  nextAttemptAt: string | null;
  issuedAt: string;
  paidAt: string | null;
  version: number;
}

/** The view of an issued invoice, or null for a stream with no invoice. */
export function toInvoiceView(state: InvoiceState): InvoiceView | null {
  if (state.kind === 'absent') return null;
  const amount = (minor: bigint): string => formatStoredAmount(minor, state.currency);
  return {
    invoiceId: state.invoiceId,
    organizationId: state.organizationId,
    number: state.number,
    status: state.status,
    currency: state.currency,
    periodStart: state.periodStart,
    periodEnd: state.periodEnd,
    lines: state.lines.map((line) => ({ ...line })),
    total: amount(state.totalMinor),
    amountPaid: amount(state.amountPaidMinor),
    amountRefunded: amount(state.amountRefundedMinor),
    paymentIds: [...state.paymentIds],
    attempts: state.attempts,
    nextAttemptAt: state.nextAttemptAt,
    issuedAt: state.issuedAt,
    paidAt: state.paidAt,
    version: state.version,
  };
}
