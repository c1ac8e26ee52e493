import { proxyLocalActivities } from '@temporalio/workflow';
import type { BillingCommandActivities } from '../activities/billing-command-activities';

const loadOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '100 ms', backoffCoefficient: 2, maximumInterval: '2 seconds', maximumAttempts: 10 },
} as const;
const appendOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '100 ms', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 15 },
} as const;

/**
 * The billing steps as local activities, for the reasons of command-activity-stubs.ts: one
 * workflow task per command. All are idempotent (loads read; an append is recognised by its event
 * ids; an invoice's issue decides nothing once it exists), so bounded retries are safe; a command
 * against a broken database fails in about a minute.
 */
export const billingSteps: Pick<
  BillingCommandActivities,
  'loadOrganizationBilling' | 'appendOrganizationBilling' | 'issueCycleInvoice' | 'billingCycleProgress'
> = {
  loadOrganizationBilling: proxyLocalActivities<BillingCommandActivities>(loadOptions).loadOrganizationBilling,
  billingCycleProgress: proxyLocalActivities<BillingCommandActivities>(loadOptions).billingCycleProgress,
  appendOrganizationBilling: proxyLocalActivities<BillingCommandActivities>(appendOptions).appendOrganizationBilling,
  issueCycleInvoice: proxyLocalActivities<BillingCommandActivities>(appendOptions).issueCycleInvoice,
};
