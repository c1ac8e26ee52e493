import { DomainError, validationError, type FieldError } from '../errors';
import { formatStoredAmount } from '../money';
import { validateId } from '../payment/commands';
import { formatScaledDecimal } from './decimal-quantity';
import { addDuration, storedDuration } from './duration';
import { END_OF_INSTANTS_MS, formatInstant, parseInstantMs } from './instant';
import { formatInvoiceNumber, invoiceIdName, nextInvoiceNumber, type DeriveId } from './invoice-identity';
import type { OrganizationBillingCommand } from './organization-billing-commands';
import type {
  BillingOrganizationState,
  ClosedCycleInvoice,
  CycleWindow,
  OrganizationBillingEvent,
  OrganizationBillingState,
  RecordedUsage,
  UsagePlacement,
} from './organization-billing';
import { meterPrice, samePlan, validatePlan, type BillingPlan } from './plan';
import { priceUsage } from './pricing';
import { parseUsageBatch } from './usage';

/** What decide needs besides the state and the command; all of it comes from the caller. */
export interface OrganizationBillingContext {
  /** The decision's time (an ISO instant): the workflow's clock, never read here. */
  now: string;
  /**
   * Of the RecordUsage batch's record ids, those the organization already accepted. The caller
   * asks the store (a unique index on organization and record id), so idempotency holds for ever
   * without the state holding every id.
   */
  alreadyAccepted?: ReadonlySet<string>;
  /** Turns a name into a stable id (see invoiceIdName); CloseBillingCycle names its invoice with it. */
  deriveId: DeriveId;
}

/** How far in the future a usage record's occurredAt may be: clients' clocks are not ours. */
export const USAGE_CLOCK_SKEW_MS = 5 * 60_000;

type CommandData<T extends OrganizationBillingCommand['type']> = Extract<
  OrganizationBillingCommand,
  { type: T }
>['data'];
type Decision = OrganizationBillingEvent[] | DomainError;

/*
 * Commands are judged in the order of the payment domain: NOT_FOUND (closing without a plan), then
 * VALIDATION (every field error at once, including the plan's own rules: a record's meter must be
 * in the plan), then CONFLICT (fine input the current state refuses).
 */

/**
 * Decides what a command does to an organization's billing: the events to append (possibly none),
 * or the DomainError that rejects it. Pure and total: it never throws, never reads the clock and
 * never makes an id; those come in `context`.
 */
export function decideOrganizationBilling(
  state: OrganizationBillingState,
  command: OrganizationBillingCommand,
  context: OrganizationBillingContext,
): Decision {
  if (typeof command !== 'object' || command === null || typeof command.data !== 'object' || command.data === null) {
    return validationError([{ path: '', message: 'a command needs a type and a data object' }]);
  }
  const now = parseInstantMs(context.now);
  if (now === undefined)
    return validationError([{ path: '', message: 'the decision time is not an RFC 3339 instant' }]);
  switch (command.type) {
    case 'SetBillingPlan':
      return setPlan(state, command.data, now);
    case 'RecordUsage':
      return recordUsage(state, command.data, now, context.alreadyAccepted ?? new Set());
    case 'CloseBillingCycle':
      return closeCycle(state, command.data, now, context.deriveId);
    default: {
      const _exhaustive: never = command;
      return validationError([
        { path: '/type', message: `unknown command type ${String((_exhaustive as { type: unknown }).type)}` },
      ]);
    }
  }
}

/** A stream that holds another organization than the command names is a wiring bug upstream. */
function wrongStream(state: BillingOrganizationState, organizationId: string): DomainError | undefined {
  if (state.organizationId === organizationId) return undefined;
  return validationError([
    { path: '/organizationId', message: `does not match the loaded organization ${state.organizationId}` },
  ]);
}

const noPlan = (organizationId: string): string => `organization ${organizationId} has no billing plan`;

function setPlan(state: OrganizationBillingState, data: CommandData<'SetBillingPlan'>, now: number): Decision {
  const idErrors = validateId(data.organizationId, '/organizationId');
  const plan = validatePlan(data.plan);
  if (idErrors.length > 0 || plan instanceof DomainError) {
    return validationError([...idErrors, ...(plan instanceof DomainError ? plan.errors : [])]);
  }
  const occurredAt = formatInstant(now);
  if (state.kind === 'absent') {
    // The first plan starts the first cycle now.
    const end = addDuration(now, storedDuration(plan.cycle));
    if (end >= END_OF_INSTANTS_MS) return new DomainError('CONFLICT', 'billing cycles cannot run past the year 9999');
    const firstCycle: CycleWindow = {
      sequence: 1,
      start: occurredAt,
      end: formatInstant(end),
      anchor: occurredAt,
      periodsFromAnchor: 1,
    };
    return [
      {
        type: 'BillingPlanSet',
        data: { organizationId: data.organizationId, plan, effectiveFrom: occurredAt, firstCycle, occurredAt },
      },
    ];
  }
  const mismatch = wrongStream(state, data.organizationId);
  if (mismatch) return mismatch;
  // The same plan as the one that will be in force next cycle: a repeated PUT changes nothing.
  if (samePlan(plan, state.pendingPlan ?? state.plan)) return [];
  const stranded = state.ahead.find((record) => meterPrice(plan, record.meter) === undefined);
  if (stranded !== undefined) {
    return new DomainError(
      'CONFLICT',
      `usage of meter ${stranded.meter} is already recorded for the next cycle: the plan for that cycle must keep the meter`,
    );
  }
  return [
    {
      type: 'BillingPlanSet',
      data: {
        organizationId: data.organizationId,
        plan,
        effectiveFrom: formatInstant(state.cycle.endMs),
        firstCycle: null,
        occurredAt,
      },
    },
  ];
}

/** Where a record of `occurredAtMs` is billed, and under which plan its meter must be priced. */
function placement(
  state: BillingOrganizationState,
  occurredAtMs: number,
): { placement: UsagePlacement; plan: BillingPlan } {
  if (occurredAtMs < state.cycle.startMs) return { placement: 'late', plan: state.plan };
  if (occurredAtMs < state.cycle.endMs) return { placement: 'current', plan: state.plan };
  return { placement: 'ahead', plan: state.pendingPlan ?? state.plan };
}

function recordUsage(
  state: OrganizationBillingState,
  data: CommandData<'RecordUsage'>,
  now: number,
  alreadyAccepted: ReadonlySet<string>,
): Decision {
  const idErrors = validateId(data.organizationId, '/organizationId');
  const parsed = parseUsageBatch(data.records);
  if (parsed instanceof DomainError || idErrors.length > 0) {
    return validationError([...idErrors, ...(parsed instanceof DomainError ? parsed.errors : [])]);
  }
  const orgErrors: FieldError[] = parsed.flatMap((record, i) =>
    record.organizationId === data.organizationId
      ? []
      : [{ path: `/records/${i}/organizationId`, message: `must be ${data.organizationId}, the batch's organization` }],
  );
  if (orgErrors.length > 0) return validationError(orgErrors);
  if (state.kind === 'absent')
    return new DomainError('CONFLICT', `${noPlan(data.organizationId)}: set one before recording usage`);
  const mismatch = wrongStream(state, data.organizationId);
  if (mismatch) return mismatch;

  const errors: FieldError[] = [];
  const accepted: RecordedUsage[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  parsed.forEach((record, i) => {
    // A duplicate is skipped before the plan's rules: a record accepted long ago may come back
    // after its meter left the plan, and it must still count as a duplicate, not fail the batch.
    if (alreadyAccepted.has(record.recordId) || seen.has(record.recordId)) {
      duplicates += 1;
      return;
    }
    seen.add(record.recordId);
    const at = `/records/${i}`;
    if (record.occurredAtMs < state.billingStartedAtMs) {
      errors.push({
        path: `${at}/occurredAt`,
        message: `is before billing started for this organization (${formatInstant(state.billingStartedAtMs)})`,
      });
      return;
    }
    if (record.occurredAtMs > now + USAGE_CLOCK_SKEW_MS) {
      errors.push({ path: `${at}/occurredAt`, message: 'is in the future' });
      return;
    }
    const where = placement(state, record.occurredAtMs);
    if (meterPrice(where.plan, record.meter) === undefined) {
      errors.push({ path: `${at}/meter`, message: `is not a meter of the organization's billing plan` });
      return;
    }
    accepted.push({
      recordId: record.recordId,
      meter: record.meter,
      quantity: formatScaledDecimal(record.quantity),
      occurredAt: formatInstant(record.occurredAtMs),
      resourceId: record.resourceId,
      properties: record.properties,
      placement: where.placement,
    });
  });
  if (errors.length > 0) return validationError(errors);
  if (accepted.length === 0) return [];
  return [
    {
      type: 'UsageRecorded',
      data: {
        organizationId: data.organizationId,
        cycleSequence: state.cycle.sequence,
        records: accepted,
        duplicates,
        occurredAt: formatInstant(now),
      },
    },
  ];
}

/** The window of the cycle after one that ends at `periodEnd`. */
function nextCycle(state: BillingOrganizationState, periodEnd: number, scheduled: boolean): CycleWindow | undefined {
  const plan = state.pendingPlan ?? state.plan;
  // Counting on from the same anchor keeps month ends in place; a new length or an early close re-anchors.
  const keepAnchor = scheduled && plan.cycle === state.plan.cycle;
  const anchor = keepAnchor ? state.cycle.anchorMs : periodEnd;
  const periods = keepAnchor ? state.cycle.periodsFromAnchor + 1 : 1;
  const end = addDuration(anchor, storedDuration(plan.cycle), periods);
  if (!(end < END_OF_INSTANTS_MS)) return undefined;
  return {
    sequence: state.cycle.sequence + 1,
    start: formatInstant(periodEnd),
    end: formatInstant(end),
    anchor: formatInstant(anchor),
    periodsFromAnchor: periods,
  };
}

function closeCycle(
  state: OrganizationBillingState,
  data: CommandData<'CloseBillingCycle'>,
  now: number,
  deriveId: DeriveId,
): Decision {
  if (state.kind === 'absent')
    return new DomainError('NOT_FOUND', `${noPlan(data.organizationId)}, so no billing cycle`);
  const errors = validateId(data.organizationId, '/organizationId');
  if (data.cycleSequence !== undefined && !(Number.isSafeInteger(data.cycleSequence) && data.cycleSequence >= 1)) {
    errors.push({ path: '/cycleSequence', message: 'must be a positive integer' });
  }
  if (errors.length > 0) return validationError(errors);
  const mismatch = wrongStream(state, data.organizationId);
  if (mismatch) return mismatch;
  const { cycle } = state;
  // Already closed: a retried close (the timer's workflow step, an admin's double click) is a no-op.
  if (data.cycleSequence !== undefined && data.cycleSequence < cycle.sequence) return [];
  if (data.cycleSequence !== undefined && data.cycleSequence > cycle.sequence) {
    return new DomainError(
      'CONFLICT',
      `billing cycle ${data.cycleSequence} has not started: the current cycle is ${cycle.sequence}`,
    );
  }
  const scheduled = now >= cycle.endMs;
  // An early close ends the period now, but never before a record it bills (whose occurredAt
  // may be a little ahead of our clock): the period always contains its usage.
  const periodEnd = scheduled ? cycle.endMs : Math.max(now, (state.lastOccurredAtMs ?? Number.NEGATIVE_INFINITY) + 1);
  if (periodEnd <= cycle.startMs)
    return new DomainError('CONFLICT', `billing cycle ${cycle.sequence} has only just started: nothing to close yet`);
  const next = nextCycle(state, periodEnd, scheduled);
  if (next === undefined) return new DomainError('CONFLICT', 'billing cycles cannot run past the year 9999');

  const priced = priceUsage(state.plan, state.usage, state.late);
  let invoice: ClosedCycleInvoice | null = null;
  if (priced.lines.length > 0) {
    const number = nextInvoiceNumber(state.lastInvoiceNumber, new Date(now).getUTCFullYear());
    invoice = {
      invoiceId: deriveId(invoiceIdName(state.organizationId, cycle.sequence)),
      number: formatInvoiceNumber(number),
      currency: state.plan.currency,
      lines: priced.lines,
      total: formatStoredAmount(priced.totalMinor, state.plan.currency),
      dunning: [...state.plan.dunning],
    };
  }
  return [
    {
      type: 'BillingCycleClosed',
      data: {
        organizationId: state.organizationId,
        cycleSequence: cycle.sequence,
        periodStart: formatInstant(cycle.startMs),
        periodEnd: formatInstant(periodEnd),
        invoice,
        nextCycle: next,
        occurredAt: formatInstant(now),
      },
    },
  ];
}
