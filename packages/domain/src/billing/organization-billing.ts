import type { Metadata } from '../payment/commands';
import { storedScaledDecimal, type ScaledDecimal } from './decimal-quantity';
import { storedInstantToMs } from './instant';
import { parseInvoiceNumber, type InvoiceNumber } from './invoice-identity';
import { samePlan, type BillingPlan } from './plan';
import type { InvoiceLine } from './pricing';
import { addToAggregate, addUsage, NO_USAGE, type UsageByMeter } from './usage';

/**
 * One billing cycle, half-open [start, end). Cycles of one length are counted from an anchor, so
 * monthly cycles from January 31 end on Feb 28, Mar 31, Apr 30 (end = anchor + periods x cycle)
 * rather than drifting to the 28th. A new cycle length or an early close starts a new anchor.
 */
export interface CycleWindow {
  sequence: number;
  start: string;
  end: string;
  anchor: string;
  periodsFromAnchor: number;
}

/**
 * Where an accepted record is billed: in the current cycle; `late` on the next invoice because its
 * own cycle is already closed; or `ahead`, in a cycle after the current one, which has not begun
 * for billing yet (the current cycle's close is due or the client's clock runs a little fast).
 */
export type UsagePlacement = 'current' | 'late' | 'ahead';

/** An accepted usage record as stored: canonical quantity and instant. */
export interface RecordedUsage {
  recordId: string;
  meter: string;
  quantity: string;
  occurredAt: string;
  resourceId: string | null;
  properties: Metadata;
  placement: UsagePlacement;
}

/** The invoice a cycle's close issues (the invoice stream's InvoiceIssued repeats it). */
export interface ClosedCycleInvoice {
  invoiceId: string;
  number: string;
  currency: string;
  lines: InvoiceLine[];
  total: string;
  /** The plan's dunning waits when the invoice was issued: later plan changes do not move them. */
  dunning: string[];
}

/*
 * Events are facts, stored as JSON for ever (strings, numbers, null, objects; no bigint): amounts
 * and quantities are canonical decimal strings, times ISO strings. Changing a shape means a new
 * BILLING_EVENT_SCHEMA_VERSION and an upcaster, never an edit in place.
 */
export type OrganizationBillingEvent =
  | {
      type: 'BillingPlanSet';
      data: {
        organizationId: string;
        plan: BillingPlan;
        /** When the plan takes effect: now for the first plan, else the next cycle's scheduled start. */
        effectiveFrom: string;
        /** The first cycle, set by the organization's first plan only. */
        firstCycle: CycleWindow | null;
        occurredAt: string;
      };
    }
  | {
      type: 'UsageRecorded';
      data: {
        organizationId: string;
        /** The cycle that was current when the records were accepted. */
        cycleSequence: number;
        records: RecordedUsage[];
        /** Records of the batch skipped as already accepted (counted, never billed). */
        duplicates: number;
        occurredAt: string;
      };
    }
  | {
      type: 'BillingCycleClosed';
      data: {
        organizationId: string;
        cycleSequence: number;
        periodStart: string;
        periodEnd: string;
        /** Null when the cycle had no usage and the plan no base fee. */
        invoice: ClosedCycleInvoice | null;
        nextCycle: CycleWindow;
        occurredAt: string;
      };
    };

export type OrganizationBillingEventType = OrganizationBillingEvent['type'];
/** The event of one type, e.g. OrganizationBillingEventOf<'UsageRecorded'>. */
export type OrganizationBillingEventOf<T extends OrganizationBillingEventType> = Extract<
  OrganizationBillingEvent,
  { type: T }
>;

const EVENT_TYPES: Record<OrganizationBillingEventType, true> = {
  BillingPlanSet: true,
  UsageRecorded: true,
  BillingCycleClosed: true,
};

/** Every organization billing event type. */
export const ORGANIZATION_BILLING_EVENT_TYPES: readonly OrganizationBillingEventType[] = Object.freeze(
  Object.keys(EVENT_TYPES) as OrganizationBillingEventType[],
);

/** The schema version of every billing event shape (organization billing, invoice, account); stored with each event. */
export const BILLING_EVENT_SCHEMA_VERSION = 1;

/** True when a stored event is an organization billing event, judged by its type name. */
export function isOrganizationBillingEvent(e: { type: string; data: unknown }): e is OrganizationBillingEvent {
  return typeof e === 'object' && e !== null && Object.prototype.hasOwnProperty.call(EVENT_TYPES, e.type);
}

/** A record accepted for a cycle after the current one, kept whole until its cycle begins. */
export interface AheadUsage {
  meter: string;
  quantity: ScaledDecimal;
  occurredAtMs: number;
}

/** The current cycle in epoch milliseconds (see CycleWindow). */
export interface CurrentCycle {
  sequence: number;
  startMs: number;
  endMs: number;
  anchorMs: number;
  periodsFromAnchor: number;
}

/**
 * The write-side state of an organization's billing, once it has a plan. Usage is held as
 * aggregates per meter, not records, so a cycle of millions of records costs a few numbers per
 * meter; which record ids were accepted lives in the store (decide is told which of a batch's ids
 * it already holds). Only `ahead` keeps records, and only those past the current cycle's end.
 */
export interface BillingOrganizationState {
  kind: 'billing';
  /** Number of events folded so far: the stream version. */
  version: number;
  organizationId: string;
  billingStartedAtMs: number;
  cycle: CurrentCycle;
  plan: BillingPlan;
  /** The plan that takes effect when the current cycle closes, if a change is waiting. */
  pendingPlan: BillingPlan | null;
  usage: UsageByMeter;
  /** The latest occurredAt of the current cycle's records: an early close never ends before it. */
  lastOccurredAtMs: number | null;
  late: UsageByMeter;
  ahead: readonly AheadUsage[];
  lastInvoiceNumber: InvoiceNumber | null;
}

/** An organization's billing stream, rebuilt by folding its events. */
export type OrganizationBillingState = { kind: 'absent'; version: 0 } | BillingOrganizationState;

/** The state of a stream with no events (no plan yet). */
export const initialOrganizationBillingState: OrganizationBillingState = Object.freeze({
  kind: 'absent',
  version: 0,
} as const);

const toCurrentCycle = (window: CycleWindow): CurrentCycle => ({
  sequence: window.sequence,
  startMs: storedInstantToMs(window.start),
  endMs: storedInstantToMs(window.end),
  anchorMs: storedInstantToMs(window.anchor),
  periodsFromAnchor: window.periodsFromAnchor,
});

function recordUsage(state: BillingOrganizationState, records: readonly RecordedUsage[]): BillingOrganizationState {
  // One copy per event, not per record: a batch holds up to 1,000 records.
  const usage = new Map(state.usage);
  const late = new Map(state.late);
  const ahead = [...state.ahead];
  let { lastOccurredAtMs } = state;
  for (const record of records) {
    const quantity = storedScaledDecimal(record.quantity);
    const occurredAtMs = storedInstantToMs(record.occurredAt);
    switch (record.placement) {
      case 'late':
        late.set(record.meter, addToAggregate(late.get(record.meter), quantity));
        break;
      case 'ahead':
        ahead.push({ meter: record.meter, quantity, occurredAtMs });
        break;
      case 'current':
        usage.set(record.meter, addToAggregate(usage.get(record.meter), quantity));
        lastOccurredAtMs = lastOccurredAtMs === null ? occurredAtMs : Math.max(lastOccurredAtMs, occurredAtMs);
        break;
      default: {
        // A placement from a newer writer: billed in the current cycle rather than lost.
        const _exhaustive: never = record.placement;
        void _exhaustive;
        usage.set(record.meter, addToAggregate(usage.get(record.meter), quantity));
      }
    }
  }
  return { ...state, usage, late, lastOccurredAtMs, ahead };
}

function closeCycle(
  state: BillingOrganizationState,
  data: OrganizationBillingEventOf<'BillingCycleClosed'>['data'],
): BillingOrganizationState {
  const cycle = toCurrentCycle(data.nextCycle);
  // Records that were ahead of the closed cycle are now current, if the new cycle contains them.
  let usage = NO_USAGE;
  let lastOccurredAtMs: number | null = null;
  const ahead: AheadUsage[] = [];
  for (const record of state.ahead) {
    if (record.occurredAtMs < cycle.endMs) {
      usage = addUsage(usage, record.meter, record.quantity);
      lastOccurredAtMs =
        lastOccurredAtMs === null ? record.occurredAtMs : Math.max(lastOccurredAtMs, record.occurredAtMs);
    } else {
      ahead.push(record);
    }
  }
  const number = data.invoice === null ? undefined : parseInvoiceNumber(data.invoice.number);
  return {
    ...state,
    cycle,
    plan: state.pendingPlan ?? state.plan,
    pendingPlan: null,
    usage,
    lastOccurredAtMs,
    late: NO_USAGE,
    ahead,
    lastInvoiceNumber: number ?? state.lastInvoiceNumber,
  };
}

/**
 * Applies one event to the state. Never throws: a stored event is a fact. Before the first plan
 * there is nothing to count usage or closes in, so such events leave the absent state as it is.
 */
export function evolveOrganizationBilling(
  state: OrganizationBillingState,
  event: OrganizationBillingEvent,
): OrganizationBillingState {
  if (state.kind === 'absent') {
    if (event.type !== 'BillingPlanSet' || event.data.firstCycle === null) return state;
    const cycle = toCurrentCycle(event.data.firstCycle);
    return {
      kind: 'billing',
      version: 1,
      organizationId: event.data.organizationId,
      billingStartedAtMs: cycle.startMs,
      cycle,
      plan: event.data.plan,
      pendingPlan: null,
      usage: NO_USAGE,
      lastOccurredAtMs: null,
      late: NO_USAGE,
      ahead: [],
      lastInvoiceNumber: null,
    };
  }
  const counted: BillingOrganizationState = { ...state, version: state.version + 1 };
  switch (event.type) {
    case 'BillingPlanSet':
      // Setting the plan in force again cancels a waiting change.
      return { ...counted, pendingPlan: samePlan(event.data.plan, state.plan) ? null : event.data.plan };
    case 'UsageRecorded':
      return recordUsage(counted, event.data.records);
    case 'BillingCycleClosed':
      return closeCycle(counted, event.data);
    default: {
      const _exhaustive: never = event;
      void _exhaustive;
      return counted;
    }
  }
}

/** Folds events, in stream order, onto a state (the empty stream by default). */
export function foldOrganizationBilling(
  events: readonly OrganizationBillingEvent[],
  from: OrganizationBillingState = initialOrganizationBillingState,
): OrganizationBillingState {
  return events.reduce(evolveOrganizationBilling, from);
}
