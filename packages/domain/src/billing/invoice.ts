import { storedAmountToMinor } from '../money';
import type { InvoiceLine } from './pricing';

/**
 * Where an invoice is in its life: `open` (issued, payment under way), `past_due` (a payment was
 * declined, dunning retries), `paid`, `uncollectible` (the last attempt failed; it may still be
 * paid), `void` (cancelled before it was paid).
 */
export type InvoiceStatus = 'open' | 'paid' | 'past_due' | 'uncollectible' | 'void';

export const INVOICE_STATUSES: readonly InvoiceStatus[] = Object.freeze([
  'open',
  'paid',
  'past_due',
  'uncollectible',
  'void',
] as const);

/* Events are facts stored as JSON for ever (see organization-billing.ts): amounts are canonical strings. */
export type InvoiceEvent =
  | {
      type: 'InvoiceIssued';
      data: {
        invoiceId: string;
        organizationId: string;
        number: string;
        cycleSequence: number;
        currency: string;
        periodStart: string;
        periodEnd: string;
        lines: InvoiceLine[];
        total: string;
        dunning: string[];
        occurredAt: string;
      };
    }
  | {
      type: 'InvoicePaymentStarted';
      data: { invoiceId: string; paymentId: string; attempt: number; amount: string; occurredAt: string };
    }
  | { type: 'InvoicePaid'; data: { invoiceId: string; paymentId: string; amount: string; occurredAt: string } }
  | {
      type: 'InvoicePaymentFailed';
      data: {
        invoiceId: string;
        paymentId: string;
        reason: string;
        attempt: number;
        nextAttemptAt: string | null;
        occurredAt: string;
      };
    }
  | { type: 'InvoiceUncollectible'; data: { invoiceId: string; attempts: number; occurredAt: string } }
  | { type: 'InvoiceVoided'; data: { invoiceId: string; reason: string; occurredAt: string } }
  | {
      type: 'InvoiceRefundRecorded';
      data: {
        invoiceId: string;
        paymentId: string;
        refundId: string;
        amount: string;
        amountRefunded: string;
        occurredAt: string;
      };
    };

export type InvoiceEventType = InvoiceEvent['type'];
/** The event of one type, e.g. InvoiceEventOf<'InvoicePaid'>. */
export type InvoiceEventOf<T extends InvoiceEventType> = Extract<InvoiceEvent, { type: T }>;

const EVENT_TYPES: Record<InvoiceEventType, true> = {
  InvoiceIssued: true,
  InvoicePaymentStarted: true,
  InvoicePaid: true,
  InvoicePaymentFailed: true,
  InvoiceUncollectible: true,
  InvoiceVoided: true,
  InvoiceRefundRecorded: true,
};

/** Every invoice event type, in life-cycle order. */
export const INVOICE_EVENT_TYPES: readonly InvoiceEventType[] = Object.freeze(
  Object.keys(EVENT_TYPES) as InvoiceEventType[],
);

/** True when a stored event is an invoice event, judged by its type name. */
export function isInvoiceEvent(e: { type: string; data: unknown }): e is InvoiceEvent {
  return typeof e === 'object' && e !== null && Object.prototype.hasOwnProperty.call(EVENT_TYPES, e.type);
}

/** An issued invoice. */
export interface IssuedInvoiceState {
  kind: 'issued';
  /** Number of events folded so far: the stream version. */
  version: number;
  invoiceId: string;
  organizationId: string;
  number: string;
  cycleSequence: number;
  currency: string;
  periodStart: string;
  periodEnd: string;
  lines: InvoiceLine[];
  totalMinor: bigint;
  dunning: string[];
  status: InvoiceStatus;
  amountPaidMinor: bigint;
  amountRefundedMinor: bigint;
  /** Every payment started for the invoice, in order. */
  paymentIds: string[];
  /** The payment whose outcome is awaited: while it is set, no other attempt starts and the invoice cannot be voided. */
  paymentInFlight: string | null;
  paidPaymentId: string | null;
  attempts: number;
  declinedAttempts: number;
  nextAttemptAt: string | null;
  refundIds: string[];
  issuedAt: string;
  paidAt: string | null;
  voidedAt: string | null;
  voidReason: string | null;
  updatedAt: string;
}

/** An invoice stream, rebuilt by folding its events. */
export type InvoiceState = { kind: 'absent'; version: 0 } | IssuedInvoiceState;

/** The state of a stream with no events. */
export const initialInvoiceState: InvoiceState = Object.freeze({ kind: 'absent', version: 0 } as const);

/**
 * Applies one event to the state. Never throws: a stored event is a fact, folded as well as it
 * fits. An invoice whose total is zero has nothing to collect: it is paid as it is issued.
 */
export function evolveInvoice(state: InvoiceState, event: InvoiceEvent): InvoiceState {
  if (state.kind === 'absent') {
    if (event.type !== 'InvoiceIssued') return state;
    const d = event.data;
    const totalMinor = storedAmountToMinor(d.total, d.currency);
    return {
      kind: 'issued',
      version: 1,
      invoiceId: d.invoiceId,
      organizationId: d.organizationId,
      number: d.number,
      cycleSequence: d.cycleSequence,
      currency: d.currency,
      periodStart: d.periodStart,
      periodEnd: d.periodEnd,
      lines: d.lines.map((line) => ({ ...line })),
      totalMinor,
      dunning: [...d.dunning],
      status: totalMinor === 0n ? 'paid' : 'open',
      amountPaidMinor: 0n,
      amountRefundedMinor: 0n,
      paymentIds: [],
      paymentInFlight: null,
      paidPaymentId: null,
      attempts: 0,
      declinedAttempts: 0,
      nextAttemptAt: null,
      refundIds: [],
      issuedAt: d.occurredAt,
      paidAt: totalMinor === 0n ? d.occurredAt : null,
      voidedAt: null,
      voidReason: null,
      updatedAt: d.occurredAt,
    };
  }
  const counted: IssuedInvoiceState = { ...state, version: state.version + 1, updatedAt: event.data.occurredAt };
  switch (event.type) {
    case 'InvoiceIssued':
      return { ...counted, updatedAt: state.updatedAt };
    case 'InvoicePaymentStarted':
      return {
        ...counted,
        paymentIds: [...state.paymentIds, event.data.paymentId],
        paymentInFlight: event.data.paymentId,
        attempts: event.data.attempt,
        nextAttemptAt: null,
      };
    case 'InvoicePaid':
      return {
        ...counted,
        status: 'paid',
        amountPaidMinor: state.amountPaidMinor + storedAmountToMinor(event.data.amount, state.currency),
        paidPaymentId: event.data.paymentId,
        paymentInFlight: null,
        nextAttemptAt: null,
        paidAt: event.data.occurredAt,
      };
    case 'InvoicePaymentFailed':
      return {
        ...counted,
        // A declined manual pay of an uncollectible invoice leaves it uncollectible.
        status: state.status === 'uncollectible' ? 'uncollectible' : 'past_due',
        paymentInFlight: null,
        declinedAttempts: state.declinedAttempts + 1,
        nextAttemptAt: event.data.nextAttemptAt,
      };
    case 'InvoiceUncollectible':
      return { ...counted, status: 'uncollectible', nextAttemptAt: null };
    case 'InvoiceVoided':
      return {
        ...counted,
        status: 'void',
        nextAttemptAt: null,
        voidedAt: event.data.occurredAt,
        voidReason: event.data.reason,
      };
    case 'InvoiceRefundRecorded':
      return {
        ...counted,
        amountRefundedMinor: state.amountRefundedMinor + storedAmountToMinor(event.data.amount, state.currency),
        refundIds: [...state.refundIds, event.data.refundId],
      };
    default: {
      const _exhaustive: never = event;
      void _exhaustive;
      return counted;
    }
  }
}

/** Folds events, in stream order, onto a state (the empty stream by default). */
export function foldInvoice(events: readonly InvoiceEvent[], from: InvoiceState = initialInvoiceState): InvoiceState {
  return events.reduce(evolveInvoice, from);
}

/** What is left to pay on an invoice, in minor units (0 once paid or void). */
export function outstandingMinor(state: IssuedInvoiceState): bigint {
  if (state.status === 'paid' || state.status === 'void') return 0n;
  return state.totalMinor - state.amountPaidMinor;
}
