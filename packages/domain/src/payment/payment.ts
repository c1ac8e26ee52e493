import { storedAmountToMinor } from '../money';
import type { Metadata } from './commands';

/** Where a payment is in its life. A deleted payment keeps its last status (see PaymentState.kind). */
export type PaymentStatus = 'pending' | 'processed' | 'failed' | 'partially_refunded' | 'refunded';

export const PAYMENT_STATUSES: readonly PaymentStatus[] = Object.freeze([
  'pending',
  'processed',
  'failed',
  'partially_refunded',
  'refunded',
] as const);

/*
 * Events are facts, stored as JSON for ever: only strings, numbers, null and objects (no bigint, no
 * Date). Amounts are canonical decimal strings (formatAmount), times are ISO strings. Changing a
 * shape means a new PAYMENT_EVENT_SCHEMA_VERSION and an upcaster, never an edit in place.
 */
export type PaymentEvent =
  | {
      type: 'PaymentInitiated';
      data: {
        paymentId: string;
        organizationId: string;
        userId: string;
        amount: string;
        currency: string;
        description: string | null;
        metadata: Metadata;
        /**
         * The invoice the payment pays. Absent on payments that pay no invoice (and on every event
         * written before invoices existed): optional, so the schema version stays 1.
         */
        invoiceId?: string;
        occurredAt: string;
      };
    }
  | { type: 'PaymentProcessed'; data: { paymentId: string; gatewayReference: string; occurredAt: string } }
  | { type: 'PaymentFailed'; data: { paymentId: string; reason: string; occurredAt: string } }
  | {
      type: 'PaymentUpdated';
      data: {
        paymentId: string;
        changes: { amount?: string; description?: string | null; metadata?: Metadata };
        occurredAt: string;
      };
    }
  | {
      /** A refund asked of the gateway: no money has moved back yet (refundedMinor is unchanged). */
      type: 'RefundRequested';
      data: { paymentId: string; refundId: string; amount: string; reason: string | null; occurredAt: string };
    }
  | {
      /** The gateway moved the refund's money back (it follows the refund's RefundRequested). */
      type: 'PaymentRefunded';
      data: {
        paymentId: string;
        refundId: string;
        amount: string;
        reason: string | null;
        refundedTotal: string;
        occurredAt: string;
      };
    }
  | {
      /** The gateway refused the refund: no money moved back. `reason` is the gateway's. */
      type: 'RefundDeclined';
      data: { paymentId: string; refundId: string; amount: string; reason: string; occurredAt: string };
    }
  | { type: 'PaymentDeleted'; data: { paymentId: string; reason: string | null; occurredAt: string } };

export type PaymentEventType = PaymentEvent['type'];
/** The event of one type, e.g. PaymentEventOf<'PaymentRefunded'>. */
export type PaymentEventOf<T extends PaymentEventType> = Extract<PaymentEvent, { type: T }>;

// A record keyed by the union makes the compiler refuse a list that misses or invents a type.
const EVENT_TYPES: Record<PaymentEventType, true> = {
  PaymentInitiated: true,
  PaymentProcessed: true,
  PaymentFailed: true,
  PaymentUpdated: true,
  RefundRequested: true,
  PaymentRefunded: true,
  RefundDeclined: true,
  PaymentDeleted: true,
};

/** Every payment event type, in life-cycle order. */
export const PAYMENT_EVENT_TYPES: readonly PaymentEventType[] = Object.freeze(
  Object.keys(EVENT_TYPES) as PaymentEventType[],
);

/** The schema version of the event shapes above; stored with each event. */
export const PAYMENT_EVENT_SCHEMA_VERSION = 1;

/** True when a stored event is a payment event, judged by its type name. */
export function isPaymentEvent(e: { type: string; data: unknown }): e is PaymentEvent {
  return typeof e === 'object' && e !== null && Object.prototype.hasOwnProperty.call(EVENT_TYPES, e.type);
}

/** A payment that has been initiated; `kind: 'deleted'` once PaymentDeleted happened. */
export interface ExistingPaymentState {
  kind: 'live' | 'deleted';
  /** Number of events folded so far: the stream version. */
  version: number;
  paymentId: string;
  organizationId: string;
  userId: string;
  amountMinor: bigint;
  currency: string;
  description: string | null;
  metadata: Metadata;
  /** The invoice this payment pays, or null for a payment of its own. */
  invoiceId: string | null;
  status: PaymentStatus;
  refundedMinor: bigint;
  /**
   * Refunds asked of the gateway and not answered yet, by refund id: their amounts (canonical
   * decimal strings, so the state stays JSON-friendly here) are promised, not yet refunded.
   */
  refundsInFlight: Readonly<Record<string, RefundInFlight>>;
  /**
   * Every refund id ever requested, settled or not: a refund id names one movement of money, so it
   * is never accepted twice (the gateway would replay its answer, the stream would count it twice).
   */
  requestedRefundIds: readonly string[];
  failureReason: string | null;
  gatewayReference: string | null;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export interface RefundInFlight {
  amount: string;
  reason: string | null;
}

/** The write-side state of one payment stream, rebuilt by folding its events. */
export type PaymentState = { kind: 'absent'; version: 0 } | ExistingPaymentState;

/** The state of a stream with no events. */
export const initialPaymentState: PaymentState = Object.freeze({ kind: 'absent', version: 0 } as const);

/**
 * Applies one event to the state. Never throws: a stored event is a fact, so one that does not fit
 * (a second PaymentInitiated, anything after PaymentDeleted) only counts towards the version, and
 * one that fits badly (a refund while pending) is folded as well as it can be. The one exception
 * is an event before PaymentInitiated: the absent state has no version to count it in.
 */
export function evolve(state: PaymentState, event: PaymentEvent): PaymentState {
  if (state.kind === 'absent') {
    if (event.type !== 'PaymentInitiated') return state;
    const d = event.data;
    return {
      kind: 'live',
      version: 1,
      paymentId: d.paymentId,
      organizationId: d.organizationId,
      userId: d.userId,
      amountMinor: storedAmountToMinor(d.amount, d.currency),
      currency: d.currency,
      description: d.description ?? null,
      metadata: { ...d.metadata },
      invoiceId: d.invoiceId ?? null,
      status: 'pending',
      refundedMinor: 0n,
      refundsInFlight: {},
      requestedRefundIds: [],
      failureReason: null,
      gatewayReference: null,
      createdAt: d.occurredAt,
      updatedAt: d.occurredAt,
      deletedAt: null,
    };
  }
  const counted: ExistingPaymentState = { ...state, version: state.version + 1 };
  if (state.kind === 'deleted') return counted;
  switch (event.type) {
    case 'PaymentInitiated':
      return counted;
    case 'PaymentProcessed':
      return {
        ...counted,
        status: 'processed',
        gatewayReference: event.data.gatewayReference,
        updatedAt: event.data.occurredAt,
      };
    case 'PaymentFailed':
      return { ...counted, status: 'failed', failureReason: event.data.reason, updatedAt: event.data.occurredAt };
    case 'PaymentUpdated': {
      const { amount, description, metadata } = event.data.changes;
      return {
        ...counted,
        ...(amount !== undefined && { amountMinor: storedAmountToMinor(amount, state.currency) }),
        ...(description !== undefined && { description }),
        ...(metadata !== undefined && { metadata: { ...metadata } }),
        updatedAt: event.data.occurredAt,
      };
    }
    case 'RefundRequested':
      return {
        ...counted,
        refundsInFlight: {
          ...state.refundsInFlight,
          [event.data.refundId]: { amount: event.data.amount, reason: event.data.reason },
        },
        requestedRefundIds: [...state.requestedRefundIds, event.data.refundId],
        updatedAt: event.data.occurredAt,
      };
    case 'PaymentRefunded': {
      // Histories written before refunds went through the gateway have no RefundRequested before it.
      const refundedMinor = state.refundedMinor + storedAmountToMinor(event.data.amount, state.currency);
      const status: PaymentStatus = refundedMinor >= state.amountMinor ? 'refunded' : 'partially_refunded';
      return {
        ...counted,
        refundedMinor,
        refundsInFlight: withoutRefund(state.refundsInFlight, event.data.refundId),
        status,
        updatedAt: event.data.occurredAt,
      };
    }
    case 'RefundDeclined':
      return {
        ...counted,
        refundsInFlight: withoutRefund(state.refundsInFlight, event.data.refundId),
        updatedAt: event.data.occurredAt,
      };
    case 'PaymentDeleted':
      return { ...counted, kind: 'deleted', deletedAt: event.data.occurredAt, updatedAt: event.data.occurredAt };
    default: {
      // Unreachable for typed input; an event type from a newer writer still only counts.
      const _exhaustive: never = event;
      void _exhaustive;
      return counted;
    }
  }
}

function withoutRefund(
  refunds: Readonly<Record<string, RefundInFlight>>,
  refundId: string,
): Readonly<Record<string, RefundInFlight>> {
  if (!Object.prototype.hasOwnProperty.call(refunds, refundId)) return refunds;
  const rest = { ...refunds };
  delete rest[refundId];
  return rest;
}

/** The minor units promised to refunds the gateway has not answered yet. */
export function refundingMinor(state: ExistingPaymentState): bigint {
  return Object.values(state.refundsInFlight).reduce(
    (sum, refund) => sum + storedAmountToMinor(refund.amount, state.currency),
    0n,
  );
}

/** True while the gateway may be moving some of the payment's money back. */
export function isRefundInFlight(state: PaymentState): boolean {
  return state.kind !== 'absent' && Object.keys(state.refundsInFlight).length > 0;
}

/**
 * True while the gateway may be moving the payment's money: every PaymentInitiated starts a charge
 * (the create command's workflow does it at once) and only its outcome, PaymentProcessed or
 * PaymentFailed, ends `pending`. So a pending payment is always a payment being charged, and what
 * the charge was asked for (its amount) must not change under it.
 */
export function isChargeInFlight(state: PaymentState): boolean {
  return state.kind !== 'absent' && state.status === 'pending';
}

/** Folds events, in stream order, onto a state (the empty stream by default). */
export function foldPayment(events: readonly PaymentEvent[], from: PaymentState = initialPaymentState): PaymentState {
  return events.reduce(evolve, from);
}
