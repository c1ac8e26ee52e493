import { ApplicationFailure } from '@temporalio/workflow';
import { decodeBillingState, encodeBillingState, type CommandContext } from '@gyroscops/contracts/workflows';
import { decideOrganizationBilling, foldOrganizationBilling, invoiceIdName, isDomainError } from '@gyroscops/domain';
import { billingSteps } from './billing-command-activity-stubs';
import { backOffBeforeRetry, keptLosingRaces, MAX_CONFLICT_RETRIES } from './billing-conflict-backoff';
import { rejectWithDomainError } from './command-rejection';

/** What closing a cycle left behind. */
export interface ClosedBillingCycle {
  cycleSequence: number;
  /** The cycle's invoice, on its stream; null for an empty cycle without base fee. */
  invoiceId: string | null;
  /** True when the invoice stream holds more than its issue (its payment is under way). */
  paymentStarted: boolean;
  /** The organization's stream version after the close. */
  version: number;
  /** Global position of the last event this close stored or found (the invoice's, when there is one). */
  position: string;
}

const later = (a: string, b: string): string => (BigInt(a) >= BigInt(b) ? a : b);

/**
 * Closes one billing cycle of an organization and issues its invoice: the step both the cycle's
 * timer (billingProcessWorkflow) and an admin's close (billingCommandWorkflow) take.
 *
 * The cycle is pinned at the first load (`cycleSequence`, or the current one; or the one this
 * command's id closed already, when a worker died after the append and the workflow task that
 * loaded is run again): a close retried after losing a race, or racing another closer, then finds
 * that cycle closed and decides nothing instead of closing the next one. BillingCycleClosed goes on the organization's stream with the
 * version it was decided against; the invoice is issued from the stored event, so whoever closed
 * the cycle, its invoice (id, number, lines) is the one that event names, and issuing it again is
 * a no-op. The invoice id is derived outside the sandbox (the load answers it for the current cycle).
 */
export async function closeBillingCycle(
  organizationId: string,
  context: CommandContext,
  cycleSequence?: number,
): Promise<ClosedBillingCycle> {
  let pinned = cycleSequence;
  for (let attempt = 0; attempt <= MAX_CONFLICT_RETRIES; attempt += 1) {
    await backOffBeforeRetry(attempt);
    const loaded = await billingSteps.loadOrganizationBilling({
      organizationId,
      commandId: context.commandId,
      closing: true,
    });
    const state = decodeBillingState(loaded.state);
    // A first try that committed before the worker died pins its own cycle, not the one it began.
    if (state.kind === 'billing') pinned ??= loaded.ownClose?.cycleSequence ?? state.cycle.sequence;
    const invoiceName = state.kind === 'billing' ? invoiceIdName(state.organizationId, state.cycle.sequence) : '';
    const decision = decideOrganizationBilling(
      state,
      { type: 'CloseBillingCycle', data: { organizationId, cycleSequence: pinned } },
      {
        now: new Date().toISOString(),
        deriveId: (name) => {
          if (name !== invoiceName || loaded.currentCycleInvoiceId === undefined)
            throw ApplicationFailure.nonRetryable(`no derived id for ${name}`, 'INTERNAL');
          return loaded.currentCycleInvoiceId;
        },
      },
    );
    if (isDomainError(decision)) throw rejectWithDomainError(decision);
    if (pinned === undefined) throw ApplicationFailure.nonRetryable('a close decided without a cycle', 'INTERNAL');
    let version = loaded.version;
    let position = loaded.lastPosition;
    if (decision.length > 0) {
      const appended = await billingSteps.appendOrganizationBilling({
        organizationId,
        expectedVersion: loaded.version,
        events: decision,
        claimRecordIds: [],
        stateAfter: encodeBillingState(foldOrganizationBilling(decision, state)),
        context,
      });
      if (!appended.appended) continue;
      version = appended.version;
      position = appended.position;
    }
    // Closed now, or before (by the timer, another admin's close, this close's first try).
    const issued = await billingSteps.issueCycleInvoice({ organizationId, cycleSequence: pinned, context });
    return {
      cycleSequence: pinned,
      invoiceId: issued.invoiceId,
      paymentStarted: issued.paymentStarted,
      version,
      position: later(position, issued.position),
    };
  }
  throw keptLosingRaces(
    `organization ${organizationId}'s billing kept changing while its cycle closed: gave up after ${MAX_CONFLICT_RETRIES} retries`,
  );
}
