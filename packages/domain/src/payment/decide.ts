import { DomainError, validationError, type FieldError } from '../errors';
import { formatAmount, storedAmountToMinor, tryParseAmount } from '../money';
import {
  REASON_MAX_LENGTH,
  validateDescription,
  validateId,
  validateMetadata,
  validateOptionalText,
  type Metadata,
  type PaymentCommand,
} from './commands';
import {
  isChargeInFlight,
  isRefundInFlight,
  refundingMinor,
  type ExistingPaymentState,
  type PaymentEvent,
  type PaymentState,
} from './payment';

type CommandData<T extends PaymentCommand['type']> = Extract<PaymentCommand, { type: T }>['data'];
type Decision = PaymentEvent[] | DomainError;

/*
 * Every command is judged in the same order, so a client gets a stable answer:
 *   1. NOT_FOUND  - no such payment (or it is deleted) for commands on an existing payment;
 *   2. VALIDATION - the input is wrong whatever the state, with every field error at once;
 *   3. CONFLICT   - the input is fine but the payment's current state refuses it.
 */

/**
 * Decides what a command does to a payment: the events to append (possibly none), or the
 * DomainError that rejects it. Pure and total: it never throws and never reads the clock; `now`
 * (an ISO time) becomes each event's occurredAt.
 */
export function decide(state: PaymentState, command: PaymentCommand, now: string): Decision {
  // Commands may arrive as JSON through a workflow; a missing body must not become a TypeError.
  if (typeof command !== 'object' || command === null || typeof command.data !== 'object' || command.data === null) {
    return validationError([{ path: '', message: 'a command needs a type and a data object' }]);
  }
  switch (command.type) {
    case 'CreatePayment':
      return create(state, command.data, now);
    case 'RecordChargeResult':
      return recordChargeResult(state, command.data, now);
    case 'UpdatePayment':
      return update(state, command.data, now);
    case 'RefundPayment':
      return refund(state, command.data, now);
    case 'RecordRefundResult':
      return recordRefundResult(state, command.data, now);
    case 'DeletePayment':
      return remove(state, command.data, now);
    default: {
      const _exhaustive: never = command;
      return validationError([
        { path: '/type', message: `unknown command type ${String((_exhaustive as { type: unknown }).type)}` },
      ]);
    }
  }
}

const notFound = (paymentId: string): DomainError => new DomainError('NOT_FOUND', `payment ${paymentId} not found`);

/** A stream that holds another payment than the command names is a wiring bug upstream. */
function wrongStream(state: ExistingPaymentState, paymentId: string): DomainError | undefined {
  if (state.paymentId === paymentId) return undefined;
  return validationError([{ path: '/paymentId', message: `does not match the loaded payment ${state.paymentId}` }]);
}

/** The live payment a command works on; a deleted payment is not found (update, refund, delete). */
function existing(state: PaymentState, paymentId: string): ExistingPaymentState | DomainError {
  if (state.kind !== 'live') return notFound(paymentId);
  return wrongStream(state, paymentId) ?? state;
}

function create(state: PaymentState, data: CommandData<'CreatePayment'>, now: string): Decision {
  const errors: FieldError[] = [
    ...validateId(data.paymentId, '/paymentId'),
    ...validateId(data.organizationId, '/organizationId'),
    ...validateId(data.userId, '/userId'),
  ];
  const amount = tryParseAmount(data.amount, data.currency);
  if (amount instanceof DomainError) errors.push(...amount.errors);
  errors.push(...validateDescription(data.description), ...validateMetadata(data.metadata));
  if (data.invoiceId !== undefined) errors.push(...validateId(data.invoiceId, '/invoiceId'));
  if (amount instanceof DomainError || errors.length > 0) return validationError(errors);
  if (state.kind !== 'absent') return new DomainError('CONFLICT', `payment ${data.paymentId} already exists`);
  return [
    {
      type: 'PaymentInitiated',
      data: {
        paymentId: data.paymentId,
        organizationId: data.organizationId,
        userId: data.userId,
        amount: formatAmount(amount, data.currency),
        currency: data.currency,
        description: data.description ?? null,
        metadata: { ...data.metadata },
        // Only on invoice payments: the events of other payments keep the shape they always had.
        ...(data.invoiceId !== undefined && { invoiceId: data.invoiceId }),
        occurredAt: now,
      },
    },
  ];
}

function recordChargeResult(state: PaymentState, data: CommandData<'RecordChargeResult'>, now: string): Decision {
  // A deleted payment still exists for the gateway: its late answer conflicts rather than 404s.
  if (state.kind === 'absent') return notFound(data.paymentId);
  const mismatch = wrongStream(state, data.paymentId);
  if (mismatch) return mismatch;
  let event: PaymentEvent;
  switch (data.outcome) {
    case 'approved': {
      const errors = validateId(data.gatewayReference, '/gatewayReference');
      if (errors.length > 0) return validationError(errors);
      event = {
        type: 'PaymentProcessed',
        data: { paymentId: data.paymentId, gatewayReference: data.gatewayReference, occurredAt: now },
      };
      break;
    }
    case 'declined': {
      const errors = validateId(data.reason, '/reason');
      if (errors.length > 0) return validationError(errors);
      event = { type: 'PaymentFailed', data: { paymentId: data.paymentId, reason: data.reason, occurredAt: now } };
      break;
    }
    default: {
      const _exhaustive: never = data;
      void _exhaustive;
      return validationError([{ path: '/outcome', message: "must be 'approved' or 'declined'" }]);
    }
  }
  if (state.kind === 'deleted') return new DomainError('CONFLICT', `payment ${data.paymentId} is deleted`);
  if (state.status !== 'pending') {
    return new DomainError(
      'CONFLICT',
      `payment ${data.paymentId} is ${state.status}: a charge result is only recorded while pending`,
    );
  }
  return [event];
}

/** Same keys with the same values, in any order. */
function sameMetadata(a: Metadata, b: Metadata): boolean {
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k])
  );
}

function update(state: PaymentState, data: CommandData<'UpdatePayment'>, now: string): Decision {
  const payment = existing(state, data.paymentId);
  if (payment instanceof DomainError) return payment;
  if (data.amount === undefined && data.description === undefined && data.metadata === undefined) {
    return validationError(
      [{ path: '', message: 'give at least one of amount, description, metadata' }],
      'nothing to update',
    );
  }
  const errors = [...validateDescription(data.description), ...validateMetadata(data.metadata)];
  // Parsed in the payment's currency: an update cannot change the currency.
  const amount = data.amount === undefined ? undefined : tryParseAmount(data.amount, payment.currency);
  if (amount instanceof DomainError) errors.unshift(...amount.errors);
  if (amount instanceof DomainError || errors.length > 0) return validationError(errors);

  const changes: { amount?: string; description?: string | null; metadata?: Metadata } = {};
  // Resending the current amount is not a change, so it is allowed in any status (a client may
  // send the whole form back). A different amount is refused while the charge is in flight (the
  // gateway is charging the amount it was given: recording its outcome against another amount
  // would make the events lie) and after it (the money has moved, or was declined, for that amount).
  if (amount !== undefined && amount !== payment.amountMinor) {
    if (isChargeInFlight(payment)) {
      return new DomainError(
        'CONFLICT',
        `the amount of payment ${data.paymentId} cannot change while its charge is in flight`,
      );
    }
    return new DomainError(
      'CONFLICT',
      `the amount of payment ${data.paymentId} can no longer change: it is ${payment.status}`,
    );
  }
  if (data.description !== undefined && data.description !== payment.description)
    changes.description = data.description;
  if (data.metadata !== undefined && !sameMetadata(data.metadata, payment.metadata))
    changes.metadata = { ...data.metadata };
  if (Object.keys(changes).length === 0) return [];
  return [{ type: 'PaymentUpdated', data: { paymentId: data.paymentId, changes, occurredAt: now } }];
}

function refund(state: PaymentState, data: CommandData<'RefundPayment'>, now: string): Decision {
  const payment = existing(state, data.paymentId);
  if (payment instanceof DomainError) return payment;
  const errors = validateId(data.refundId, '/refundId');
  const amount = tryParseAmount(data.amount, payment.currency);
  if (amount instanceof DomainError) errors.push(...amount.errors);
  errors.push(...validateOptionalText(data.reason, '/reason', REASON_MAX_LENGTH));
  if (amount instanceof DomainError || errors.length > 0) return validationError(errors);

  if (payment.status !== 'processed' && payment.status !== 'partially_refunded') {
    return new DomainError(
      'CONFLICT',
      `payment ${data.paymentId} is ${payment.status}: only a processed payment can be refunded`,
    );
  }
  if (Object.prototype.hasOwnProperty.call(payment.refundsInFlight, data.refundId)) {
    return new DomainError('CONFLICT', `refund ${data.refundId} of payment ${data.paymentId} is already in flight`);
  }
  if (payment.requestedRefundIds.includes(data.refundId)) {
    return new DomainError('CONFLICT', `refund ${data.refundId} of payment ${data.paymentId} was already made`);
  }
  // Refunds the gateway has not answered yet are promised: two of them must not both fit in the rest.
  const remaining = payment.amountMinor - payment.refundedMinor - refundingMinor(payment);
  if (amount > remaining) {
    return new DomainError(
      'CONFLICT',
      `refund of ${formatAmount(amount, payment.currency)} ${payment.currency} exceeds the refundable remaining amount of ${formatAmount(remaining, payment.currency)} ${payment.currency}`,
    );
  }
  return [
    {
      type: 'RefundRequested',
      data: {
        paymentId: data.paymentId,
        refundId: data.refundId,
        amount: formatAmount(amount, payment.currency),
        reason: data.reason ?? null,
        occurredAt: now,
      },
    },
  ];
}

/**
 * The gateway's answer to a requested refund: the money moved back (PaymentRefunded, the only event
 * that changes refundedMinor) or it did not (RefundDeclined). Like a charge's answer, it is recorded
 * whatever else happened to the payment meanwhile, except on a payment deleted since (which the
 * domain prevents while a refund is in flight).
 */
function recordRefundResult(state: PaymentState, data: CommandData<'RecordRefundResult'>, now: string): Decision {
  if (state.kind === 'absent') return notFound(data.paymentId);
  const mismatch = wrongStream(state, data.paymentId);
  if (mismatch) return mismatch;
  const errors = validateId(data.refundId, '/refundId');
  switch (data.outcome) {
    case 'approved':
      errors.push(...validateId(data.gatewayReference, '/gatewayReference'));
      break;
    case 'declined':
      errors.push(...validateId(data.reason, '/reason'));
      break;
    default: {
      const _exhaustive: never = data;
      void _exhaustive;
      return validationError([{ path: '/outcome', message: "must be 'approved' or 'declined'" }]);
    }
  }
  if (errors.length > 0) return validationError(errors);
  if (state.kind === 'deleted') return new DomainError('CONFLICT', `payment ${data.paymentId} is deleted`);
  const requested = Object.prototype.hasOwnProperty.call(state.refundsInFlight, data.refundId)
    ? state.refundsInFlight[data.refundId]
    : undefined;
  if (requested === undefined) {
    return new DomainError('CONFLICT', `refund ${data.refundId} of payment ${data.paymentId} is not in flight`);
  }
  const base = { paymentId: data.paymentId, refundId: data.refundId, amount: requested.amount };
  if (data.outcome === 'declined') {
    return [{ type: 'RefundDeclined', data: { ...base, reason: data.reason, occurredAt: now } }];
  }
  const refundedTotal = state.refundedMinor + storedAmountToMinor(requested.amount, state.currency);
  return [
    {
      type: 'PaymentRefunded',
      data: {
        ...base,
        reason: requested.reason,
        refundedTotal: formatAmount(refundedTotal, state.currency),
        occurredAt: now,
      },
    },
  ];
}

function remove(state: PaymentState, data: CommandData<'DeletePayment'>, now: string): Decision {
  const payment = existing(state, data.paymentId);
  if (payment instanceof DomainError) return payment;
  const errors = validateOptionalText(data.reason, '/reason', REASON_MAX_LENGTH);
  if (errors.length > 0) return validationError(errors);
  // A refund is in flight: deleted now, the gateway's answer (money may have moved back) would be lost.
  if (isRefundInFlight(payment)) {
    return new DomainError(
      'CONFLICT',
      `payment ${data.paymentId} is being refunded: it can be deleted once the gateway has answered`,
    );
  }
  // Its charge is in flight: deleted now, the gateway's answer (money may have moved) would have no
  // payment left to be recorded on.
  if (payment.status === 'pending')
    return new DomainError(
      'CONFLICT',
      `payment ${data.paymentId} is being charged: it can be deleted once processed or failed`,
    );
  return [
    { type: 'PaymentDeleted', data: { paymentId: data.paymentId, reason: data.reason ?? null, occurredAt: now } },
  ];
}
