import type { OrganizationBillingEventOf } from './organization-billing';
import type { InvoiceLine } from './pricing';

/** Everything that can be asked of an invoice (one stream per invoice). Amounts are decimal strings. */
export type InvoiceCommand =
  | {
      type: 'IssueInvoice';
      data: {
        invoiceId: string;
        organizationId: string;
        number: string;
        cycleSequence: number;
        currency: string;
        periodStart: string;
        periodEnd: string;
        lines: InvoiceLine[];
        total: string;
        dunning: string[];
      };
    }
  /** A payment of the invoice's outstanding amount is being made (the first one, a dunning retry, or a manual pay). */
  | { type: 'StartInvoicePayment'; data: { invoiceId: string; paymentId: string } }
  | {
      type: 'RecordInvoicePaymentResult';
      data: { invoiceId: string; paymentId: string } & (
        { outcome: 'approved' } | { outcome: 'declined'; reason: string }
      );
    }
  | { type: 'VoidInvoice'; data: { invoiceId: string; reason: string } }
  /** A refund of the invoice's payment went through the gateway (as every refund does). */
  | { type: 'RecordInvoiceRefund'; data: { invoiceId: string; paymentId: string; refundId: string; amount: string } };

export type InvoiceCommandType = InvoiceCommand['type'];

/**
 * The IssueInvoice command for a closed cycle, or null when the close issued no invoice. The
 * invoice stream repeats what the organization's stream decided, so both always agree.
 */
export function issueInvoiceCommand(closed: OrganizationBillingEventOf<'BillingCycleClosed'>): InvoiceCommand | null {
  const { invoice } = closed.data;
  if (invoice === null) return null;
  return {
    type: 'IssueInvoice',
    data: {
      invoiceId: invoice.invoiceId,
      organizationId: closed.data.organizationId,
      number: invoice.number,
      cycleSequence: closed.data.cycleSequence,
      currency: invoice.currency,
      periodStart: closed.data.periodStart,
      periodEnd: closed.data.periodEnd,
      lines: invoice.lines.map((line) => ({ ...line })),
      total: invoice.total,
      dunning: [...invoice.dunning],
    },
  };
}
