import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
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
import { rejectCommand, rejectWithDomainError } from './command-rejection';

/** Commands without If-Match retry a lost optimistic-concurrency race this many times. */
const MAX_CONFLICT_RETRIES = 10;

/**
 * One execution per command (its id derives from the command id, so an idempotent retry attaches
 * to it). Loads the stream, decides with the pure domain, charges through the gateway when a
 * payment is created, and appends the events with the version they were decided against.
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
      return changePayment(steps, request, {
        type: 'RefundPayment',
        data: { paymentId: request.paymentId, ...request.refund },
      });
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

  const charge = await chargeOrGiveUp(steps, pending);
  return recordCharge(steps, request, pending, charge);
}

type ChargeResult = Awaited<ReturnType<typeof chargeOrGiveUp>>;

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

/** The charge, or a decline when the gateway stayed unavailable through every retry. */
async function chargeOrGiveUp(steps: CommandSteps, state: ExistingPaymentState) {
  try {
    return await steps.chargePayment({
      paymentId: state.paymentId,
      amount: formatAmount(state.amountMinor, state.currency),
      currency: state.currency,
      metadata: state.metadata,
      idempotencyKey: `charge-${state.paymentId}`,
    });
  } catch (error) {
    if (error instanceof ActivityFailure) return { outcome: 'declined' as const, reason: 'gateway_unavailable' };
    throw error;
  }
}

type ChangeRequest = Extract<PaymentCommandRequest, { kind: 'update' | 'refund' | 'delete' }>;

async function changePayment(
  steps: CommandSteps,
  request: ChangeRequest,
  command: PaymentCommand,
): Promise<PaymentCommandResult> {
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
    if (events.length === 0) return resultOf(context, state, stream.lastPosition);
    const appended = await steps.appendPaymentEvents({
      paymentId: request.paymentId,
      organizationId: state.organizationId,
      expectedVersion: state.version,
      events,
      context,
    });
    if (appended.appended) return resultOf(context, foldPayment(events, state), appended.position);
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

function mayActOn(context: CommandContext, organizationId: string): boolean {
  return context.allowedOrganizations === undefined || context.allowedOrganizations.includes(organizationId);
}
