import { ApplicationFailure } from '@temporalio/workflow';
import type { BillingCommandRequest, BillingCommandResult } from '@gyroscops/contracts/workflows';
import {
  decideOrganizationBilling,
  foldOrganizationBilling,
  formatInstant,
  isDomainError,
  type OrganizationBillingCommand,
  type OrganizationBillingEvent,
  type OrganizationBillingState,
} from '@gyroscops/domain';
import { billingSteps } from './billing-command-activity-stubs';
import { decodeBillingState, encodeBillingState } from './billing-state-codec';
import { rejectCommand, rejectWithDomainError } from './command-rejection';

/** A lost race (another command on the organization's stream, or a record id claimed meanwhile) is retried this often. */
const MAX_CONFLICT_RETRIES = 10;

/** Workflow time is deterministic: it is the time of the workflow task, replayed identically. */
const now = () => new Date().toISOString();

/** Neither command of this workflow names an invoice; a close would, and needs a UUIDv5 of its own. */
const noInvoiceIds = (name: string): never => {
  throw ApplicationFailure.nonRetryable(`billing command workflow cannot name ${name}`, 'INTERNAL');
};

/**
 * One execution per billing command (its id derives from the command id, so an idempotent retry
 * attaches to it): load the organization's billing (snapshot + later events, and which of a
 * batch's record ids are claimed), decide with the pure domain, append with the version it was
 * decided against, claiming the accepted record ids in the same transaction. A lost race reloads
 * and decides again: a record a concurrent batch accepted meanwhile is then a duplicate.
 * Changing what it records breaks the replay of running commands: see docs/workflow-versioning.md.
 */
export async function billingCommandWorkflow(request: BillingCommandRequest): Promise<BillingCommandResult> {
  const { context, organizationId } = request;
  if (context.allowedOrganizations !== undefined && !context.allowedOrganizations.includes(organizationId)) {
    throw rejectCommand('NOT_FOUND', `organization ${organizationId} not found`);
  }
  let command: OrganizationBillingCommand;
  let recordIds: string[] | undefined;
  switch (request.kind) {
    case 'set-plan':
      command = { type: 'SetBillingPlan', data: { organizationId, plan: request.plan } };
      break;
    case 'record-usage':
      command = { type: 'RecordUsage', data: { organizationId, records: request.records } };
      recordIds = request.records.flatMap((record) => (typeof record.recordId === 'string' ? [record.recordId] : []));
      break;
    default: {
      const unknown: never = request;
      throw ApplicationFailure.nonRetryable(`unknown billing command ${JSON.stringify(unknown)}`, 'VALIDATION');
    }
  }
  for (let attempt = 0; attempt <= MAX_CONFLICT_RETRIES; attempt += 1) {
    const loaded = await billingSteps.loadOrganizationBilling({ organizationId, recordIds });
    const state = decodeBillingState(loaded.state);
    const decision = decideOrganizationBilling(state, command, {
      now: now(),
      alreadyAccepted: new Set(loaded.alreadyAccepted),
      deriveId: noInvoiceIds,
    });
    if (isDomainError(decision)) throw rejectWithDomainError(decision);
    if (decision.length === 0) return resultOf(request, state, decision, loaded.version, loaded.lastPosition);
    const after = foldOrganizationBilling(decision, state);
    const appended = await billingSteps.appendOrganizationBilling({
      organizationId,
      expectedVersion: loaded.version,
      events: decision,
      claimRecordIds: decision.flatMap((event) =>
        event.type === 'UsageRecorded' ? event.data.records.map((record) => record.recordId) : [],
      ),
      stateAfter: encodeBillingState(after),
      context,
    });
    if (appended.appended) return resultOf(request, state, decision, appended.version, appended.position);
  }
  throw rejectCommand(
    'CONFLICT',
    `organization ${organizationId}'s billing kept changing: gave up after ${MAX_CONFLICT_RETRIES} retries`,
  );
}

function resultOf(
  request: BillingCommandRequest,
  before: OrganizationBillingState,
  events: readonly OrganizationBillingEvent[],
  version: number,
  position: string,
): BillingCommandResult {
  const base = { commandId: request.context.commandId, organizationId: request.organizationId, version, position };
  switch (request.kind) {
    case 'set-plan':
      return { ...base, kind: 'plan-set', effectiveFrom: effectiveFrom(before, events) };
    case 'record-usage': {
      const recorded = events.find((event) => event.type === 'UsageRecorded');
      // No event: every record of the batch was a duplicate.
      if (recorded?.type !== 'UsageRecorded')
        return { ...base, kind: 'usage-recorded', accepted: 0, duplicates: request.records.length };
      return {
        ...base,
        kind: 'usage-recorded',
        accepted: recorded.data.records.length,
        duplicates: recorded.data.duplicates,
      };
    }
    default: {
      const unknown: never = request;
      throw ApplicationFailure.nonRetryable(`unknown billing command ${JSON.stringify(unknown)}`, 'INTERNAL');
    }
  }
}

/**
 * When the plan bills: the event says so. A repeated PUT appends nothing: the plan is then the one
 * waiting for the next cycle (effective at the current cycle's end) or the one in force (since at
 * least the current cycle's start).
 */
function effectiveFrom(before: OrganizationBillingState, events: readonly OrganizationBillingEvent[]): string {
  const set = events.find((event) => event.type === 'BillingPlanSet');
  if (set?.type === 'BillingPlanSet') return set.data.effectiveFrom;
  if (before.kind === 'absent') throw ApplicationFailure.nonRetryable('a plan command left no plan behind', 'INTERNAL');
  return formatInstant(before.pendingPlan !== null ? before.cycle.endMs : before.cycle.startMs);
}
