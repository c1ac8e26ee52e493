import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CommandContext, PaymentCommandResult } from './payment-command';
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

/** A payment of the invoice now, asked by a client (POST /invoices/{invoiceId}/pay). */
export interface PayInvoiceRequest {
  context: CommandContext;
}

/**
 * Pays the invoice's outstanding amount now: answers the payment command's result (approved:
 * `processed`, declined: `failed`), as POST /payments does. A paid or void invoice refuses it
 * (CONFLICT); a payment already under way (a dunning attempt) is awaited first. Its update id is
 * the command id, so a repeated request attaches to the same payment.
 */
export const payInvoiceUpdate = defineUpdate<PaymentCommandResult, [PayInvoiceRequest]>('payInvoice');

export interface VoidInvoiceRequest {
  context: CommandContext;
  reason: string;
}

export interface VoidInvoiceResult {
  commandId: string;
  invoiceId: string;
  status: 'void';
  /** The invoice stream's version after the void. */
  version: number;
  /** Global position of the InvoiceVoided event, a decimal string. */
  position: string;
}

/**
 * Voids the invoice and ends its payment process. Refused (CONFLICT) once it is paid or void; a
 * payment under way is awaited first, and if it pays the invoice the void is refused.
 */
export const voidInvoiceUpdate = defineUpdate<VoidInvoiceResult, [VoidInvoiceRequest]>('voidInvoice');

/** Where the process is, for operators and tests. */
export interface InvoicePaymentStatus {
  invoiceId: string;
  status: 'open' | 'paid' | 'past_due' | 'uncollectible' | 'void' | 'loading';
  attempts: number;
  nextAttemptAt: string | null;
  paymentInFlight: string | null;
}
export const invoicePaymentStatusQuery = defineQuery<InvoicePaymentStatus>('invoicePaymentStatus');

/** One invoice payment process per invoice. */
export const invoicePaymentWorkflowId = (invoiceId: string) => `invoice-payment-${invoiceId}`;

/** The stream of one invoice in the event store. */
export const invoiceStreamId = (invoiceId: string) => `invoice-${invoiceId}`;
export const INVOICE_STREAM_TYPE = 'invoice';

/** The stream of one organization's account (active or suspended, payment method). */
export const organizationAccountStreamId = (organizationId: string) => `organization-account-${organizationId}`;
export const ORGANIZATION_ACCOUNT_STREAM_TYPE = 'organization-account';
