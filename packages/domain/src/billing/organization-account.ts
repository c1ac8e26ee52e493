import type { Metadata } from '../payment/commands';

/**
 * An organization's standing: `active`, or `suspended` once an invoice's last dunning attempt
 * failed; paying (or voiding) every invoice that suspended it makes it active again. Its own
 * stream (apart from the busy billing stream that takes every usage batch), so dunning never
 * contends with ingestion. It also holds the payment method every invoice payment uses.
 */
export type OrganizationStatus = 'active' | 'suspended';

/** Everything that can be asked of an organization's account. */
export type OrganizationAccountCommand =
  | { type: 'SuspendOrganization'; data: { organizationId: string; invoiceId: string } }
  /** An invoice was paid or voided: if it held a suspension, lift it (once no other invoice holds one). */
  | { type: 'ReinstateOrganization'; data: { organizationId: string; invoiceId: string } }
  /** The payment method (flat metadata, as a payment's) given to every invoice payment from now on. */
  | { type: 'SetPaymentMethod'; data: { organizationId: string; metadata: Metadata } };

/* Events are facts stored as JSON for ever (see organization-billing.ts). */
export type OrganizationAccountEvent =
  | { type: 'OrganizationSuspended'; data: { organizationId: string; invoiceId: string; occurredAt: string } }
  | { type: 'OrganizationReinstated'; data: { organizationId: string; invoiceId: string; occurredAt: string } }
  /** One of the invoices that suspended it was settled, while another still holds the suspension. */
  | { type: 'OrganizationInvoiceSettled'; data: { organizationId: string; invoiceId: string; occurredAt: string } }
  | {
      type: 'OrganizationPaymentMethodSet';
      data: { organizationId: string; metadata: Metadata; occurredAt: string };
    };

export type OrganizationAccountEventType = OrganizationAccountEvent['type'];

const EVENT_TYPES: Record<OrganizationAccountEventType, true> = {
  OrganizationSuspended: true,
  OrganizationReinstated: true,
  OrganizationInvoiceSettled: true,
  OrganizationPaymentMethodSet: true,
};

/** Every organization account event type. */
export const ORGANIZATION_ACCOUNT_EVENT_TYPES: readonly OrganizationAccountEventType[] = Object.freeze(
  Object.keys(EVENT_TYPES) as OrganizationAccountEventType[],
);

/** True when a stored event is an organization account event, judged by its type name. */
export function isOrganizationAccountEvent(e: { type: string; data: unknown }): e is OrganizationAccountEvent {
  return typeof e === 'object' && e !== null && Object.prototype.hasOwnProperty.call(EVENT_TYPES, e.type);
}

/**
 * An account stream's state. No events means an active organization: every organization starts
 * in good standing, so there is no "absent" account.
 */
export interface OrganizationAccountState {
  version: number;
  status: OrganizationStatus;
  /** The uncollectible invoices that hold the suspension: it is lifted once the last is settled. */
  suspendedFor: string[];
  suspendedAt: string | null;
  reinstatedAt: string | null;
  /** Metadata every invoice payment carries (the gateway reads its payment details there); {} until set. */
  paymentMethod: Metadata;
  paymentMethodSetAt: string | null;
}

/** The state of an account with no events: active. */
export const initialOrganizationAccountState: OrganizationAccountState = Object.freeze({
  version: 0,
  status: 'active',
  suspendedFor: [],
  suspendedAt: null,
  reinstatedAt: null,
  paymentMethod: {},
  paymentMethodSetAt: null,
}) as OrganizationAccountState;

/** Applies one event to the state. Never throws: a stored event is a fact. */
export function evolveOrganizationAccount(
  state: OrganizationAccountState,
  event: OrganizationAccountEvent,
): OrganizationAccountState {
  const counted = { ...state, version: state.version + 1 };
  switch (event.type) {
    case 'OrganizationSuspended':
      return {
        ...counted,
        status: 'suspended',
        suspendedFor: state.suspendedFor.includes(event.data.invoiceId)
          ? state.suspendedFor
          : [...state.suspendedFor, event.data.invoiceId],
        suspendedAt: state.status === 'suspended' ? state.suspendedAt : event.data.occurredAt,
      };
    case 'OrganizationReinstated':
      return { ...counted, status: 'active', suspendedFor: [], reinstatedAt: event.data.occurredAt };
    case 'OrganizationInvoiceSettled':
      return { ...counted, suspendedFor: state.suspendedFor.filter((id) => id !== event.data.invoiceId) };
    case 'OrganizationPaymentMethodSet':
      return { ...counted, paymentMethod: { ...event.data.metadata }, paymentMethodSetAt: event.data.occurredAt };
    default: {
      const _exhaustive: never = event;
      void _exhaustive;
      return counted;
    }
  }
}

/** Folds events, in stream order, onto a state (a new, active account by default). */
export function foldOrganizationAccount(
  events: readonly OrganizationAccountEvent[],
  from: OrganizationAccountState = initialOrganizationAccountState,
): OrganizationAccountState {
  return events.reduce(evolveOrganizationAccount, from);
}
