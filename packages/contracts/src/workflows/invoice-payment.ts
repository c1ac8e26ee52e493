import { defineWorkflow } from './workflow-definition';

/*
 * An invoice's payment process: its first attempt, dunning retries on durable timers, and manual
 * payments. One execution per invoice, started by the organization's billing process once the
 * invoice is issued (the invoice stream holds InvoiceIssued before it starts). It outlives the
 * cycle that issued the invoice: the billing process continues as new without waiting for it.
 */

export interface InvoicePaymentInput {
  invoiceId: string;
  organizationId: string;
}

/** How an invoice's payment process ended. */
export interface InvoicePaymentOutcome {
  invoiceId: string;
  status: 'paid' | 'uncollectible' | 'void';
  /** Payment attempts made (each one payment, with a deterministic id). */
  attempts: number;
}

export type InvoicePaymentWorkflow = (input: InvoicePaymentInput) => Promise<InvoicePaymentOutcome>;
export const INVOICE_PAYMENT_WORKFLOW = defineWorkflow<InvoicePaymentWorkflow>()('invoicePaymentWorkflow');

/** One invoice payment process per invoice. */
export const invoicePaymentWorkflowId = (invoiceId: string) => `invoice-payment-${invoiceId}`;

/** The stream of one invoice in the event store. */
export const invoiceStreamId = (invoiceId: string) => `invoice-${invoiceId}`;
export const INVOICE_STREAM_TYPE = 'invoice';

/** The stream of one organization's account (active or suspended, payment method). */
export const organizationAccountStreamId = (organizationId: string) => `organization-account-${organizationId}`;
export const ORGANIZATION_ACCOUNT_STREAM_TYPE = 'organization-account';
