import {
  formatInstant,
  unbilledUsage,
  type BillingPlan,
  type OrganizationAccountState,
  type OrganizationBillingState,
  type OrganizationStatus,
} from '@gyroscops/domain';

/**
 * An organization's billing as the read model holds it: standing, plan in force (and a change
 * waiting for the next cycle), current cycle, and its usage so far priced with the domain's own
 * pricing. What it owes on its invoices comes from the invoices read model.
 */
export interface OrganizationBillingView {
  organizationId: string;
  status: OrganizationStatus;
  plan: BillingPlan;
  pendingPlan: BillingPlan | null;
  currentCycle: { sequence: number; start: string; end: string };
  unbilled: Record<string, { quantity: string; amount: string }>;
  /** The billing stream's version, as the domain counts it. */
  version: number;
}

/** The view of an organization, or null while it has no plan (no billing to show). */
export function toOrganizationBillingView(
  organizationId: string,
  billing: OrganizationBillingState,
  account: OrganizationAccountState,
): OrganizationBillingView | null {
  if (billing.kind === 'absent') return null;
  return {
    organizationId,
    status: account.status,
    plan: billing.plan,
    pendingPlan: billing.pendingPlan,
    currentCycle: {
      sequence: billing.cycle.sequence,
      start: formatInstant(billing.cycle.startMs),
      end: formatInstant(billing.cycle.endMs),
    },
    unbilled: unbilledUsage(billing.plan, billing.usage, billing.late),
    version: billing.version,
  };
}
