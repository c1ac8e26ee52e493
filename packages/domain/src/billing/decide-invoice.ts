import { DomainError, validationError, type FieldError } from '../errors';
import { AMOUNT_PATTERN, findCurrency, formatAmount, storedAmountToMinor, tryParseAmount } from '../money';
import { REASON_MAX_LENGTH, validateId, validateOptionalText } from '../payment/commands';
import { isFieldError } from './decimal-quantity';
import { validateBoundedDuration } from './duration';
import { dunningStepAfterDecline } from './dunning';
import { formatInstant, parseInstantMs } from './instant';
import { outstandingMinor, type InvoiceEvent, type InvoiceState, type IssuedInvoiceState } from './invoice';
import type { InvoiceCommand } from './invoice-commands';
import { parseInvoiceNumber } from './invoice-identity';
import { sumOfLines } from './pricing';

type CommandData<T extends InvoiceCommand['type']> = Extract<InvoiceCommand, { type: T }>['data'];
type Decision = InvoiceEvent[] | DomainError;

/*
 * Judged like every command of the domain: NOT_FOUND (no such invoice), then VALIDATION (every
 * field error at once), then CONFLICT (the invoice's status refuses it). Retries of a step that
 * already happened (the same payment started, its result recorded, the same refund) decide no
 * events rather than fail, so a workflow can repeat a step safely.
 */

/**
 * Decides what a command does to an invoice: the events to append (possibly none) or the
 * DomainError that rejects it. Pure and total; `now` (an ISO instant) becomes each event's
 * occurredAt and the start of a dunning wait.
 */
export function decideInvoice(state: InvoiceState, command: InvoiceCommand, now: string): Decision {
  if (typeof command !== 'object' || command === null || typeof command.data !== 'object' || command.data === null) {
    return validationError([{ path: '', message: 'a command needs a type and a data object' }]);
  }
  const nowMs = parseInstantMs(now);
  if (nowMs === undefined)
    return validationError([{ path: '', message: 'the decision time is not an RFC 3339 instant' }]);
  const at = formatInstant(nowMs);
  switch (command.type) {
    case 'IssueInvoice':
      return issue(state, command.data, at);
    case 'StartInvoicePayment':
      return startPayment(state, command.data, at);
    case 'RecordInvoicePaymentResult':
      return recordPaymentResult(state, command.data, at);
    case 'VoidInvoice':
      return voidInvoice(state, command.data, at);
    case 'RecordInvoiceRefund':
      return recordRefund(state, command.data, at);
    default: {
      const _exhaustive: never = command;
      return validationError([
        { path: '/type', message: `unknown command type ${String((_exhaustive as { type: unknown }).type)}` },
      ]);
    }
  }
}

const notFound = (invoiceId: string): DomainError => new DomainError('NOT_FOUND', `invoice ${invoiceId} not found`);

/** The issued invoice a command works on, or why not. */
function existing(state: InvoiceState, invoiceId: string): IssuedInvoiceState | DomainError {
  if (state.kind === 'absent') return notFound(invoiceId);
  if (state.invoiceId !== invoiceId) {
    return validationError([{ path: '/invoiceId', message: `does not match the loaded invoice ${state.invoiceId}` }]);
  }
  return state;
}

/** Errors of an amount that may be zero (an invoice line, a total): a plain decimal within the currency's decimals. */
function validateStoredAmount(value: unknown, currency: string, path: string): FieldError[] {
  const exponent = findCurrency(currency)?.exponent;
  if (exponent === undefined) return [];
  if (typeof value !== 'string' || !AMOUNT_PATTERN.test(value) || (value.split('.')[1] ?? '').length > exponent) {
    return [{ path, message: `must be a plain decimal amount with at most ${exponent} decimals` }];
  }
  return [];
}

function validateIssue(data: CommandData<'IssueInvoice'>): FieldError[] {
  const errors = [...validateId(data.invoiceId, '/invoiceId'), ...validateId(data.organizationId, '/organizationId')];
  if (typeof data.number !== 'string' || parseInvoiceNumber(data.number) === undefined)
    errors.push({ path: '/number', message: "must be '<year>-<sequence>'" });
  if (!Number.isSafeInteger(data.cycleSequence) || data.cycleSequence < 1)
    errors.push({ path: '/cycleSequence', message: 'must be a positive integer' });
  if (findCurrency(data.currency) === undefined)
    errors.push({ path: '/currency', message: 'must be a supported ISO 4217 currency code' });
  const start = parseInstantMs(data.periodStart);
  const end = parseInstantMs(data.periodEnd);
  if (start === undefined) errors.push({ path: '/periodStart', message: 'must be an RFC 3339 instant' });
  if (end === undefined) errors.push({ path: '/periodEnd', message: 'must be an RFC 3339 instant' });
  if (start !== undefined && end !== undefined && end <= start)
    errors.push({ path: '/periodEnd', message: 'must be after periodStart' });
  if (!Array.isArray(data.lines) || data.lines.length === 0) {
    errors.push({ path: '/lines', message: 'must list at least one line' });
  } else {
    data.lines.forEach((line, i) =>
      errors.push(...validateStoredAmount(line?.amount, data.currency, `/lines/${i}/amount`)),
    );
  }
  errors.push(...validateStoredAmount(data.total, data.currency, '/total'));
  if (errors.length === 0 && storedAmountToMinor(data.total, data.currency) !== sumOfLines(data.lines, data.currency)) {
    errors.push({ path: '/total', message: 'must be the sum of the lines' });
  }
  if (!Array.isArray(data.dunning)) errors.push({ path: '/dunning', message: 'must be a list of ISO 8601 durations' });
  else
    data.dunning.forEach((wait, i) => {
      const r = validateBoundedDuration(wait, `/dunning/${i}`);
      if (isFieldError(r)) errors.push(r);
    });
  return errors;
}

function issue(state: InvoiceState, data: CommandData<'IssueInvoice'>, now: string): Decision {
  const errors = validateIssue(data);
  if (errors.length > 0) return validationError(errors);
  if (state.kind !== 'absent') {
    // The same close issuing again (a retried step) is the invoice that exists: nothing to do.
    if (
      state.invoiceId === data.invoiceId &&
      state.number === data.number &&
      state.cycleSequence === data.cycleSequence
    )
      return [];
    return new DomainError('CONFLICT', `invoice ${data.invoiceId} already exists`);
  }
  return [
    {
      type: 'InvoiceIssued',
      data: {
        invoiceId: data.invoiceId,
        organizationId: data.organizationId,
        number: data.number,
        cycleSequence: data.cycleSequence,
        currency: data.currency,
        periodStart: formatInstant(parseInstantMs(data.periodStart) ?? 0),
        periodEnd: formatInstant(parseInstantMs(data.periodEnd) ?? 0),
        lines: data.lines.map((line) => ({ ...line })),
        total: data.total,
        dunning: [...data.dunning],
        occurredAt: now,
      },
    },
  ];
}

/** Why no payment can be made now, for a paid or void invoice. */
function unpayable(invoice: IssuedInvoiceState): DomainError | undefined {
  if (invoice.status === 'paid') return new DomainError('CONFLICT', `invoice ${invoice.invoiceId} is already paid`);
  if (invoice.status === 'void') return new DomainError('CONFLICT', `invoice ${invoice.invoiceId} is void`);
  return undefined;
}

function startPayment(state: InvoiceState, data: CommandData<'StartInvoicePayment'>, now: string): Decision {
  const invoice = existing(state, data.invoiceId);
  if (invoice instanceof DomainError) return invoice;
  const errors = validateId(data.paymentId, '/paymentId');
  if (errors.length > 0) return validationError(errors);
  if (invoice.paymentInFlight === data.paymentId) return [];
  const refused = unpayable(invoice);
  if (refused) return refused;
  if (invoice.paymentInFlight !== null) {
    return new DomainError(
      'CONFLICT',
      `payment ${invoice.paymentInFlight} of invoice ${invoice.invoiceId} is under way: wait for its outcome`,
    );
  }
  if (invoice.paymentIds.includes(data.paymentId)) {
    return new DomainError(
      'CONFLICT',
      `payment ${data.paymentId} was already made for invoice ${invoice.invoiceId}: each attempt is a new payment`,
    );
  }
  return [
    {
      type: 'InvoicePaymentStarted',
      data: {
        invoiceId: invoice.invoiceId,
        paymentId: data.paymentId,
        attempt: invoice.attempts + 1,
        amount: formatAmount(outstandingMinor(invoice), invoice.currency),
        occurredAt: now,
      },
    },
  ];
}

function recordPaymentResult(
  state: InvoiceState,
  data: CommandData<'RecordInvoicePaymentResult'>,
  now: string,
): Decision {
  const invoice = existing(state, data.invoiceId);
  if (invoice instanceof DomainError) return invoice;
  const errors = validateId(data.paymentId, '/paymentId');
  if (data.outcome === 'declined') errors.push(...validateId(data.reason, '/reason'));
  else if (data.outcome !== 'approved') errors.push({ path: '/outcome', message: "must be 'approved' or 'declined'" });
  if (errors.length > 0) return validationError(errors);
  if (invoice.paymentInFlight !== data.paymentId) {
    // Its outcome was recorded already: the retried step changes nothing.
    if (invoice.paymentIds.includes(data.paymentId)) return [];
    return new DomainError('CONFLICT', `no payment ${data.paymentId} is under way for invoice ${invoice.invoiceId}`);
  }
  const { invoiceId } = invoice;
  if (data.outcome === 'approved') {
    return [
      {
        type: 'InvoicePaid',
        data: {
          invoiceId,
          paymentId: data.paymentId,
          amount: formatAmount(outstandingMinor(invoice), invoice.currency),
          occurredAt: now,
        },
      },
    ];
  }
  const attempt = invoice.attempts;
  const failed = (nextAttemptAt: string | null): InvoiceEvent => ({
    type: 'InvoicePaymentFailed',
    data: { invoiceId, paymentId: data.paymentId, reason: data.reason, attempt, nextAttemptAt, occurredAt: now },
  });
  // Dunning is over for an uncollectible invoice: a declined manual pay schedules nothing.
  if (invoice.status === 'uncollectible') return [failed(null)];
  const step = dunningStepAfterDecline(invoice.dunning, invoice.declinedAttempts + 1, now);
  switch (step.kind) {
    case 'retry':
      return [failed(step.nextAttemptAt)];
    case 'give_up':
      return [failed(null), { type: 'InvoiceUncollectible', data: { invoiceId, attempts: attempt, occurredAt: now } }];
    default: {
      const _exhaustive: never = step;
      void _exhaustive;
      return [failed(null)];
    }
  }
}

function voidInvoice(state: InvoiceState, data: CommandData<'VoidInvoice'>, now: string): Decision {
  const invoice = existing(state, data.invoiceId);
  if (invoice instanceof DomainError) return invoice;
  const errors = [
    ...validateId(data.reason, '/reason'),
    ...validateOptionalText(data.reason, '/reason', REASON_MAX_LENGTH),
  ];
  if (errors.length > 0) return validationError(errors);
  const refused = unpayable(invoice);
  if (refused) return refused;
  if (invoice.paymentInFlight !== null) {
    return new DomainError(
      'CONFLICT',
      `payment ${invoice.paymentInFlight} of invoice ${invoice.invoiceId} is under way: money may be moving, so it cannot be voided now`,
    );
  }
  return [{ type: 'InvoiceVoided', data: { invoiceId: invoice.invoiceId, reason: data.reason, occurredAt: now } }];
}

function recordRefund(state: InvoiceState, data: CommandData<'RecordInvoiceRefund'>, now: string): Decision {
  const invoice = existing(state, data.invoiceId);
  if (invoice instanceof DomainError) return invoice;
  const errors = [...validateId(data.paymentId, '/paymentId'), ...validateId(data.refundId, '/refundId')];
  const amount = tryParseAmount(data.amount, invoice.currency);
  if (amount instanceof DomainError) errors.push(...amount.errors);
  if (amount instanceof DomainError || errors.length > 0) return validationError(errors);
  if (invoice.refundIds.includes(data.refundId)) return [];
  if (invoice.status !== 'paid' || invoice.paidPaymentId !== data.paymentId) {
    return new DomainError(
      'CONFLICT',
      `payment ${data.paymentId} did not pay invoice ${invoice.invoiceId}: only its paying payment is refunded on it`,
    );
  }
  const refundable = invoice.amountPaidMinor - invoice.amountRefundedMinor;
  if (amount > refundable) {
    return new DomainError(
      'CONFLICT',
      `refund of ${formatAmount(amount, invoice.currency)} ${invoice.currency} exceeds the refundable ${formatAmount(refundable, invoice.currency)} ${invoice.currency}`,
    );
  }
  return [
    {
      type: 'InvoiceRefundRecorded',
      data: {
        invoiceId: invoice.invoiceId,
        paymentId: data.paymentId,
        refundId: data.refundId,
        amount: formatAmount(amount, invoice.currency),
        amountRefunded: formatAmount(invoice.amountRefundedMinor + amount, invoice.currency),
        occurredAt: now,
      },
    },
  ];
}
