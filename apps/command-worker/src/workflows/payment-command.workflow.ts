import { ApplicationFailure } from '@temporalio/workflow';
import type { CommandContext, PaymentCommandRequest, PaymentCommandResult } from '@gyroscops/contracts/workflows';
import { canonicalPaymentCommand } from '@gyroscops/contracts/workflows';
import {
  decide,
  foldPayment,
  formatAmount,
  isDomainError,
  type ExistingPaymentState,
  type PaymentCommand,
  type PaymentEvent,
  type PaymentState,
} from '@gyroscops/domain';
import { commandSteps, type CommandSteps } from './command-activity-stubs';
import { recordInvoiceRefund } from './invoice-refund';
import { rejectCommand, rejectWithDomainError } from './command-rejection';
import { isGivenUpActivity, settleGatewayOutcome } from './settle-gateway-outcome';

/** Commands without If-Match retry a lost optimistic-concurrency race this many times. */
const MAX_CONFLICT_RETRIES = 10;

/**
 * One execution per command (its id derives from the command id, so an idempotent retry attaches
 * to it). Loads the stream, decides with the pure domain, charges through the gateway when a
 * payment is created (refunds through it when one is asked for), and appends the events with the
 * version they were decided against.
 * Changing what it records breaks the replay of running commands: see docs/workflow-versioning.md.
 */
export async function paymentCommandWorkflow(input: PaymentCommandRequest): Promise<PaymentCommandResult> {
  // Started by any client, not only the command-api: the ids become the stream id and the events' data.
  const request = canonicalPaymentCommand(input);
  const steps = commandSteps;
  switch (request.kind) {
    case 'create':
      return createPayment(steps, request);
    case 'update':
      return changePayment(steps, request, {
        type: 'UpdatePayment',
        data: { paymentId: request.paymentId, ...request.changes },
      });
    case 'refund':
      return refundPayment(steps, request);
    case 'delete':
      return changePayment(steps, request, { type: 'DeletePayment', data: { paymentId: request.paymentId } });
    default: {
      const unknown: never = request;
      throw ApplicationFailure.nonRetryable(`unknown command ${JSON.stringify(unknown)}`, 'VALIDATION');
    }
  }
}

/** Workflow time is deterministic: it is the time of the workflow task, replayed identically. */
const now = () => new Date().toISOString();

function decideOrReject(state: PaymentState, command: PaymentCommand): PaymentEvent[] {
  const decision = decide(state, command, now());
  if (isDomainError(decision)) throw rejectWithDomainError(decision);
  return decision;
}

function resultOf(context: CommandContext, state: PaymentState, position: string): PaymentCommandResult {
  if (state.kind === 'absent') throw ApplicationFailure.nonRetryable('a command left no payment behind', 'INTERNAL');
  return {
    commandId: context.commandId,
    paymentId: state.paymentId,
    status: state.kind === 'deleted' ? 'deleted' : state.status,
    version: state.version,
    position,
  };
}

async function createPayment(
  steps: CommandSteps,
  request: Extract<PaymentCommandRequest, { kind: 'create' }>,
): Promise<PaymentCommandResult> {
  const { context, payment } = request;
  const initiated = decideOrReject(foldPayment([]), {
    type: 'CreatePayment',
    data: { ...payment, userId: context.userId },
  });
  const first = await steps.appendPaymentEvents({
    paymentId: payment.paymentId,
    organizationId: payment.organizationId,
    expectedVersion: 0,
    events: initiated,
    context,
  });
  if (!first.appended) throw rejectCommand('CONFLICT', `payment ${payment.paymentId} already exists`);
  const pending = foldPayment(initiated) as ExistingPaymentState;

  const charge = await chargeOrSettle(steps, pending);
  return recordCharge(steps, request, pending, charge);
}

type ChargeResult = Awaited<ReturnType<CommandSteps['chargePayment']>>;
type RefundResult = Awaited<ReturnType<CommandSteps['refundPayment']>>;

/** Recorded when the gateway never answered and its lookup says nothing moved under the key. */
const GATEWAY_UNAVAILABLE = { outcome: 'declined' as const, reason: 'gateway_unavailable' };

/**
 * Records what the gateway answered. The money moved (or did not) whatever happened to the payment
 * meanwhile, so losing a version race to another command (a description or metadata update; the
 * domain refuses amount changes while the charge is in flight) must not drop the outcome: the stream
 * is reloaded and the outcome decided again on it, as often as other commands keep winning.
 * Only a decision that refuses the outcome (the payment was deleted meanwhile) ends the command.
 */
async function recordCharge(
  steps: CommandSteps,
  request: Extract<PaymentCommandRequest, { kind: 'create' }>,
  pending: ExistingPaymentState,
  charge: ChargeResult,
): Promise<PaymentCommandResult> {
  const { context, payment } = request;
  let state = pending;
  for (;;) {
    const settled = decideOrReject(state, {
      type: 'RecordChargeResult',
      data: { paymentId: payment.paymentId, ...charge },
    });
    const recorded = await steps.recordChargeOutcome({
      paymentId: payment.paymentId,
      organizationId: payment.organizationId,
      expectedVersion: state.version,
      events: settled,
      context,
    });
    if (recorded.appended) return resultOf(context, foldPayment(settled, state), recorded.position);
    const reloaded = foldPayment((await steps.loadPaymentStream({ paymentId: payment.paymentId })).events);
    if (reloaded.kind === 'absent')
      throw ApplicationFailure.nonRetryable(`payment ${payment.paymentId} vanished from the event store`, 'INTERNAL');
    state = reloaded;
  }
}

/**
 * The gateway's answer to the charge. When every retry of the call failed, the gateway may still
 * have captured the money (the answer, not the charge, may be what was lost), so the outcome is never
 * guessed: it is settled by looking the charge up by its idempotency key until the gateway answers.
 * Found: what happened is recorded (approved with its reference, or declined). None: nothing moved
 * and the gateway closed the key, so the decline `gateway_unavailable` is true. Meanwhile the payment
 * stays pending and the command running (the API answers 202 with the command's location).
 */
async function chargeOrSettle(steps: CommandSteps, state: ExistingPaymentState): Promise<ChargeResult> {
  const idempotencyKey = `charge-${state.paymentId}`;
  try {
    return await steps.chargePayment({
      paymentId: state.paymentId,
      amount: formatAmount(state.amountMinor, state.currency),
      currency: state.currency,
      metadata: state.metadata,
      idempotencyKey,
    });
  } catch (error) {
    if (!isGivenUpActivity(error)) throw error;
  }
  const found = await settleGatewayOutcome(() => steps.findCharge({ paymentId: state.paymentId, idempotencyKey }));
  return found.outcome === 'none' ? GATEWAY_UNAVAILABLE : found;
}

type ChangeRequest = Extract<PaymentCommandRequest, { kind: 'update' | 'refund' | 'delete' }>;

async function changePayment(
  steps: CommandSteps,
  request: ChangeRequest,
  command: PaymentCommand,
): Promise<PaymentCommandResult> {
  const changed = await applyChange(steps, request, command);
  return resultOf(request.context, changed.state, changed.position);
}

interface AppliedChange {
  state: PaymentState;
  position: string;
  /** False when the decision was a no-op: nothing was appended. */
  appended: boolean;
}

/** Loads, decides and appends one change, retrying lost version races when no If-Match pins the version. */
async function applyChange(
  steps: CommandSteps,
  request: ChangeRequest,
  command: PaymentCommand,
): Promise<AppliedChange> {
  const { context } = request;
  for (let attempt = 0; attempt <= MAX_CONFLICT_RETRIES; attempt += 1) {
    const stream = await steps.loadPaymentStream({ paymentId: request.paymentId });
    const state = foldPayment(stream.events);
    if (state.kind === 'absent' || !mayActOn(context, state.organizationId)) {
      throw rejectCommand('NOT_FOUND', `payment ${request.paymentId} not found`);
    }
    if (request.expectedVersion !== undefined && request.expectedVersion !== state.version) {
      throw rejectCommand(
        'PRECONDITION_FAILED',
        `payment ${request.paymentId} is at version ${state.version}, not ${request.expectedVersion}`,
      );
    }
    const events = decideOrReject(state, command);
    if (events.length === 0) return { state, position: stream.lastPosition, appended: false };
    const appended = await steps.appendPaymentEvents({
      paymentId: request.paymentId,
      organizationId: state.organizationId,
      expectedVersion: state.version,
      events,
      context,
    });
    if (appended.appended) return { state: foldPayment(events, state), position: appended.position, appended: true };
    if (request.expectedVersion !== undefined) {
      throw rejectCommand(
        'PRECONDITION_FAILED',
        `payment ${request.paymentId} moved to version ${appended.actualVersion}`,
      );
    }
  }
  throw rejectCommand(
    'CONFLICT',
    `payment ${request.paymentId} kept changing: gave up after ${MAX_CONFLICT_RETRIES} retries`,
  );
}

type RefundCommandRequest = Extract<PaymentCommandRequest, { kind: 'refund' }>;

/**
 * A refund in two facts, like a charge: RefundRequested is appended (the domain now counts the
 * amount as promised, so concurrent refunds cannot both take the rest), the gateway is asked to move
 * the money back (idempotent per refund: its key is the refund id, which is the command id), and its
 * answer is recorded. A declined refund is recorded too, then refuses the command (409): the money
 * did not move back.
 */
async function refundPayment(steps: CommandSteps, request: RefundCommandRequest): Promise<PaymentCommandResult> {
  const { context, refund } = request;
  const requested = await applyChange(steps, request, {
    type: 'RefundPayment',
    data: { paymentId: request.paymentId, ...refund },
  });
  const state = requested.state;
  const inFlight = state.kind === 'live' ? state.refundsInFlight[refund.refundId] : undefined;
  if (state.kind !== 'live' || !requested.appended || inFlight === undefined) {
    throw ApplicationFailure.nonRetryable(`refund ${refund.refundId} was not requested`, 'INTERNAL');
  }
  const answer = await refundOrSettle(steps, state, refund.refundId, inFlight.amount);
  const settled = await recordRefund(steps, request, state, answer);
  if (answer.outcome === 'declined') {
    throw rejectCommand(
      'CONFLICT',
      `the payment gateway declined refund ${refund.refundId} of payment ${state.paymentId}: ${answer.reason}`,
    );
  }
  // A refund of an invoice's payment shows on the invoice too (its amountRefunded).
  if (state.invoiceId !== null) {
    await recordInvoiceRefund({
      invoiceId: state.invoiceId,
      organizationId: state.organizationId,
      paymentId: state.paymentId,
      refundId: refund.refundId,
      amount: inFlight.amount,
      context,
    });
  }
  return resultOf(context, settled.state, settled.position);
}

/**
 * The gateway's answer to the refund, settled like a charge's when every retry of the call failed:
 * the money may have moved back, so the refund is looked up by its idempotency key until the gateway
 * answers, and only `none` (nothing moved, key closed) is recorded as declined `gateway_unavailable`.
 */
async function refundOrSettle(
  steps: CommandSteps,
  state: ExistingPaymentState,
  refundId: string,
  amount: string,
): Promise<RefundResult> {
  if (state.gatewayReference === null) {
    throw ApplicationFailure.nonRetryable(`payment ${state.paymentId} has no capture to refund`, 'INTERNAL');
  }
  const idempotencyKey = `refund-${refundId}`;
  try {
    return await steps.refundPayment({
      paymentId: state.paymentId,
      chargeReference: state.gatewayReference,
      refundId,
      amount,
      currency: state.currency,
      metadata: state.metadata,
      idempotencyKey,
    });
  } catch (error) {
    if (!isGivenUpActivity(error)) throw error;
  }
  const found = await settleGatewayOutcome(() =>
    steps.findRefund({ paymentId: state.paymentId, refundId, idempotencyKey }),
  );
  return found.outcome === 'none' ? GATEWAY_UNAVAILABLE : found;
}

/**
 * Records the gateway's answer to a refund with reload-and-retry, as recordCharge does: the money
 * moved back (or did not) whatever else happened to the payment meanwhile.
 */
async function recordRefund(
  steps: CommandSteps,
  request: RefundCommandRequest,
  requested: ExistingPaymentState,
  answer: RefundResult,
): Promise<{ state: PaymentState; position: string }> {
  const { context, refund } = request;
  let state: ExistingPaymentState = requested;
  for (;;) {
    const settled = decideOrReject(state, {
      type: 'RecordRefundResult',
      data: { paymentId: state.paymentId, refundId: refund.refundId, ...answer },
    });
    const recorded = await steps.recordRefundOutcome({
      paymentId: request.paymentId,
      organizationId: state.organizationId,
      expectedVersion: state.version,
      events: settled,
      context,
    });
    if (recorded.appended) return { state: foldPayment(settled, state), position: recorded.position };
    const reloaded = foldPayment((await steps.loadPaymentStream({ paymentId: request.paymentId })).events);
    if (reloaded.kind === 'absent')
      throw ApplicationFailure.nonRetryable(`payment ${request.paymentId} vanished from the event store`, 'INTERNAL');
    state = reloaded;
  }
}

function mayActOn(context: CommandContext, organizationId: string): boolean {
  return context.allowedOrganizations === undefined || context.allowedOrganizations.includes(organizationId);
}
