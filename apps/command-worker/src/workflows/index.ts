/** Every workflow the command worker hosts: this file is the bundle's entry point. */
import type {
  BILLING_COMMAND_WORKFLOW,
  BILLING_PROCESS_WORKFLOW,
  INVOICE_PAYMENT_WORKFLOW,
  ORGANIZATION_ACCOUNT_COMMAND_WORKFLOW,
  PAYMENT_COMMAND_WORKFLOW,
  WorkflowImplementations,
} from '@gyroscops/contracts/workflows';
import * as billing from './billing-command.workflow';
import * as billingProcess from './billing-process.workflow';
import * as invoicePayment from './invoice-payment.workflow';
import * as account from './organization-account-command.workflow';
import * as command from './payment-command.workflow';

/*
 * Checked against the contracts the starters use: each workflow is exported under its declared name
 * (Temporal registers a bundle's exports by name) with its declared input and result types.
 */
export const {
  paymentCommandWorkflow,
  billingCommandWorkflow,
  billingProcessWorkflow,
  invoicePaymentWorkflow,
  organizationAccountCommandWorkflow,
} = {
  paymentCommandWorkflow: command.paymentCommandWorkflow,
  billingCommandWorkflow: billing.billingCommandWorkflow,
  billingProcessWorkflow: billingProcess.billingProcessWorkflow,
  invoicePaymentWorkflow: invoicePayment.invoicePaymentWorkflow,
  organizationAccountCommandWorkflow: account.organizationAccountCommandWorkflow,
} satisfies WorkflowImplementations<
  | typeof PAYMENT_COMMAND_WORKFLOW
  | typeof BILLING_COMMAND_WORKFLOW
  | typeof BILLING_PROCESS_WORKFLOW
  | typeof INVOICE_PAYMENT_WORKFLOW
  | typeof ORGANIZATION_ACCOUNT_COMMAND_WORKFLOW
>;
