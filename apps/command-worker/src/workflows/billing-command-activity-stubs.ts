import { proxyLocalActivities } from '@temporalio/workflow';
import type { BillingCommandActivities } from '../activities/billing-command-activities';

/**
 * The billing command's steps as local activities, for the reasons of command-activity-stubs.ts:
 * one workflow task per command. Both are idempotent (a load reads; an append is recognised by its
 * event ids), so bounded retries are safe; a command against a broken database fails in about a minute.
 */
export const billingSteps: Pick<BillingCommandActivities, 'loadOrganizationBilling' | 'appendOrganizationBilling'> = {
  loadOrganizationBilling: proxyLocalActivities<BillingCommandActivities>({
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '100 ms', backoffCoefficient: 2, maximumInterval: '2 seconds', maximumAttempts: 10 },
  }).loadOrganizationBilling,
  appendOrganizationBilling: proxyLocalActivities<BillingCommandActivities>({
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '100 ms', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 15 },
  }).appendOrganizationBilling,
};
