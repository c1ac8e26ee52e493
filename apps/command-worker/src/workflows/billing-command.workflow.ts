import { ApplicationFailure, getExternalWorkflowHandle, ParentClosePolicy, startChild } from '@temporalio/workflow';
import {
  BILLING_PROCESS_WORKFLOW,
  billingCycleClosedSignal,
  billingProcessWorkflowId,
  decodeBillingState,
  encodeBillingState,
  isCanonicalUuid,
  type BillingCommandRequest,
  type BillingCommandResult,
  type BillingProcessWorkflow,
} from '@gyroscops/contracts/workflows';
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
import { isAlreadyStarted } from './billing-child-start';
import { backOffBeforeRetry, keptLosingRaces, MAX_CONFLICT_RETRIES } from './billing-conflict-backoff';
import { closeBillingCycle } from './billing-cycle-close';
import { rejectCommand, rejectWithDomainError } from './command-rejection';

/** Workflow time is deterministic: it is the time of the workflow task, replayed identically. */
const now = () => new Date().toISOString();

/** Neither a plan nor usage names an invoice (a close does, in billing-cycle-close.ts). */
const noInvoiceIds = (name: string): never => {
  throw ApplicationFailure.nonRetryable(`a plan or usage command cannot name ${name}`, 'INTERNAL');
};

/**
 * One execution per billing command (its id derives from the command id, so an idempotent retry
 * attaches to it): load the organization's billing (snapshot + later events, and which of a
 * batch's record ids are claimed), decide with the pure domain, append with the version it was
 * decided against, claiming the accepted record ids in the same transaction. A lost race reloads
 * and decides again after a jittered wait (a record a concurrent batch accepted meanwhile is then a
 * duplicate); one that keeps losing fails as CONFLICT_RETRYABLE, having stored nothing. A plan
 * starts the organization's billing process; a close closes the current cycle, issues its invoice
 * and tells the process. Changing what it records breaks the replay of running commands: see
 * docs/workflow-versioning.md.
 */
export async function billingCommandWorkflow(request: BillingCommandRequest): Promise<BillingCommandResult> {
  const { context, organizationId } = request;
  if (context.allowedOrganizations !== undefined && !context.allowedOrganizations.includes(organizationId)) {
    throw rejectCommand('NOT_FOUND', `organization ${organizationId} not found`);
  }
  if (!isCanonicalUuid(organizationId)) {
    throw rejectCommand('VALIDATION', 'an organization id is a lower-case UUID', [
      { path: '/organizationId', message: 'must be a lower-case UUID' },
    ]);
  }
  if (request.kind === 'close-cycle') return closeCycleNow(request);
  const result = await decideAndAppend(request);
  if (request.kind === 'set-plan') await startBillingProcess(organizationId);
  return result;
}

async function decideAndAppend(
  request: Exclude<BillingCommandRequest, { kind: 'close-cycle' }>,
): Promise<BillingCommandResult> {
  const { context, organizationId } = request;
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
    await backOffBeforeRetry(attempt);
    const loaded = await billingSteps.loadOrganizationBilling({
      organizationId,
      recordIds,
      commandId: context.commandId,
    });
    // This command's first try stored the batch (its answer was lost): answer that, not "duplicates".
    if (request.kind === 'record-usage' && loaded.ownUsageAppend) {
      const own = loaded.ownUsageAppend;
      return {
        commandId: context.commandId,
        organizationId,
        version: own.version,
        position: own.position,
        kind: 'usage-recorded',
        accepted: own.accepted,
        duplicates: own.duplicates,
      };
    }
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
  throw keptLosingRaces(
    `organization ${organizationId}'s billing kept changing: gave up after ${MAX_CONFLICT_RETRIES} retries`,
  );
}

/**
 * An admin's close: the current cycle, pinned at the first load, closed and invoiced here (so the
 * answer names the invoice), then the organization's billing process is told, which starts the
 * invoice's payment and waits on the next cycle. Were the signal lost, the work would not be: a
 * process reads what is left to settle from the store whenever it (re)starts.
 */
async function closeCycleNow(request: Extract<BillingCommandRequest, { kind: 'close-cycle' }>) {
  const closed = await closeBillingCycle(request.organizationId, request.context);
  try {
    await getExternalWorkflowHandle(billingProcessWorkflowId(request.organizationId)).signal(billingCycleClosedSignal, {
      cycleSequence: closed.cycleSequence,
    });
  } catch {
    // No process to tell (stopped by an operator): start one; it finds the unsettled cycle itself.
    await startBillingProcess(request.organizationId);
  }
  const result: BillingCommandResult = {
    kind: 'cycle-closed',
    commandId: request.context.commandId,
    organizationId: request.organizationId,
    version: closed.version,
    position: closed.position,
    cycleSequence: closed.cycleSequence,
    invoiceId: closed.invoiceId,
  };
  return result;
}

/**
 * Starts the organization's billing process if it is not running (a set plan is when billing
 * begins; a repeated PUT restarts a process an operator stopped). A child abandoned at once: the
 * process outlives this command by years, and a child's start is recorded in this command's
 * history, so a retried or replayed command never starts a second one (Temporal refuses a second
 * running execution of the id, which is answered here as "already running").
 */
async function startBillingProcess(organizationId: string): Promise<void> {
  try {
    await startChild<BillingProcessWorkflow>(BILLING_PROCESS_WORKFLOW.name, {
      workflowId: billingProcessWorkflowId(organizationId),
      args: [{ organizationId, settledThrough: 0 }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  } catch (error) {
    if (!isAlreadyStarted(error)) throw error;
  }
}

function resultOf(
  request: Exclude<BillingCommandRequest, { kind: 'close-cycle' }>,
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
