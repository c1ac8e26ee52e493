import type { BillingPlanInput } from './plan';
import type { UsageRecordInput } from './usage';

/** Everything that can be asked of an organization's billing (one stream per organization). */
export type OrganizationBillingCommand =
  | { type: 'SetBillingPlan'; data: { organizationId: string; plan: BillingPlanInput } }
  | { type: 'RecordUsage'; data: { organizationId: string; records: UsageRecordInput[] } }
  /**
   * Closes the current cycle: at its end when its timer fires (now >= end), or early at `now` for
   * an admin's close. `cycleSequence` names the cycle meant, so a retried close of a cycle that
   * is already closed changes nothing; without it, the current cycle is closed.
   */
  | { type: 'CloseBillingCycle'; data: { organizationId: string; cycleSequence?: number } };

export type OrganizationBillingCommandType = OrganizationBillingCommand['type'];
