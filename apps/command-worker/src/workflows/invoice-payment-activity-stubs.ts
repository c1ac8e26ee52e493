import { proxyLocalActivities } from '@temporalio/workflow';
import type { CommandActivities } from '../activities/create-command-activities';
import type { InvoiceActivities } from '../activities/invoice-activities';
import type { OrganizationAccountActivities } from '../activities/organization-account-activities';

/**
 * The invoice payment process's steps as local activities (see command-activity-stubs.ts for why).
 * The process lives for days and records what money did: a step never gives up, it backs off to
 * 30 s (a durable timer past the first minute) until the database answers. Each is idempotent: a
 * load reads, an append is recognised by its event ids.
 */
const UNTIL_DONE = { initialInterval: '100 ms', backoffCoefficient: 2, maximumInterval: '30 seconds' } as const;

const invoices = proxyLocalActivities<InvoiceActivities>({ startToCloseTimeout: '10 seconds', retry: UNTIL_DONE });
const accounts = proxyLocalActivities<OrganizationAccountActivities>({
  startToCloseTimeout: '10 seconds',
  retry: UNTIL_DONE,
});
const payments = proxyLocalActivities<CommandActivities>({ startToCloseTimeout: '10 seconds', retry: UNTIL_DONE });

export const invoicePaymentSteps = {
  loadInvoiceStream: invoices.loadInvoiceStream,
  appendInvoiceEvents: invoices.appendInvoiceEvents,
  loadOrganizationAccount: accounts.loadOrganizationAccount,
  appendOrganizationAccountEvents: accounts.appendOrganizationAccountEvents,
  loadPaymentStream: payments.loadPaymentStream,
};
