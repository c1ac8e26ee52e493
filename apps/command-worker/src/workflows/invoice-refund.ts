import { log, proxyLocalActivities } from '@temporalio/workflow';
import type { CommandContext } from '@gyroscops/contracts/workflows';
import { decideInvoice, foldInvoice, isDomainError } from '@gyroscops/domain';
import type { InvoiceActivities } from '../activities/invoice-activities';

/** The invoice stream steps a refund of an invoice's payment needs. */
const invoiceSteps = proxyLocalActivities<InvoiceActivities>({
  startToCloseTimeout: '10 seconds',
  // The money already moved back: the invoice must come to say so, however long the database takes.
  retry: { initialInterval: '100 ms', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

export interface InvoiceRefund {
  invoiceId: string;
  organizationId: string;
  paymentId: string;
  refundId: string;
  /** Canonical decimal string in the invoice's currency. */
  amount: string;
  context: CommandContext;
}

/**
 * Shows an approved refund of an invoice's payment on the invoice (InvoiceRefundRecorded, which
 * adds to its amountRefunded), with reload-and-retry on a version conflict. Idempotent: the
 * invoice remembers its refund ids, so a replayed step appends nothing. A refund the invoice
 * refuses (the payment did not pay it) is logged for an operator and left off the invoice: the
 * money moved back all the same, and the payment's stream says so.
 */
export async function recordInvoiceRefund(refund: InvoiceRefund): Promise<void> {
  for (;;) {
    const loaded = await invoiceSteps.loadInvoiceStream({ invoiceId: refund.invoiceId });
    const decision = decideInvoice(
      foldInvoice(loaded.events),
      {
        type: 'RecordInvoiceRefund',
        data: {
          invoiceId: refund.invoiceId,
          paymentId: refund.paymentId,
          refundId: refund.refundId,
          amount: refund.amount,
        },
      },
      new Date().toISOString(),
    );
    if (isDomainError(decision)) {
      log.warn('refund of an invoice payment not recorded on the invoice', {
        invoiceId: refund.invoiceId,
        paymentId: refund.paymentId,
        refundId: refund.refundId,
        code: decision.code,
        error: decision.message,
      });
      return;
    }
    if (decision.length === 0) return;
    const appended = await invoiceSteps.appendInvoiceEvents({
      invoiceId: refund.invoiceId,
      organizationId: refund.organizationId,
      expectedVersion: loaded.version,
      events: decision,
      context: refund.context,
    });
    if (appended.appended) return;
  }
}
