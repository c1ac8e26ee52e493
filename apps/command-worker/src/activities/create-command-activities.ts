import { ApplicationFailure, Context } from '@temporalio/activity';
import { canonicalUuid, PAYMENT_STREAM_TYPE, paymentStreamId, type EventMetadata } from '@gyroscops/contracts';
import { isPaymentEvent, PAYMENT_EVENT_SCHEMA_VERSION, type PaymentEvent } from '@gyroscops/domain';
import {
  appendToStream,
  notifyAppended,
  readStream,
  StreamOwnershipError,
  StreamVersionConflictError,
  type EventStoreDb,
} from '@gyroscops/event-store';
import type {
  ChargeLookup,
  ChargeOutcome,
  ChargeRequest,
  PaymentGateway,
  RefundLookup,
  RefundOutcome,
  RefundRequest,
} from '@gyroscops/payment-gateway';
import { v5 as uuidv5 } from 'uuid';
import type {
  AppendPaymentEventsInput,
  AppendPaymentEventsOutcome,
  LoadedPaymentStream,
} from './command-activities.types';

/** Namespace for event ids derived from command ids (a fixed, random UUID). */
const EVENT_ID_NAMESPACE = '3f1b9a52-8c1e-4a57-9d6b-2f0c7e51a9d4';

export interface CommandActivityDependencies {
  eventStore: EventStoreDb;
  gateway: PaymentGateway;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * The same command retried after a crash must produce the same event ids, so the event store can
 * recognise the append as already done: ids are derived from the command id and the version each
 * event takes in its stream.
 */
export function eventIdFor(commandId: string, streamId: string, version: number): string {
  return uuidv5(`${commandId}:${streamId}:${version}`, EVENT_ID_NAMESPACE);
}

/**
 * The payment's stream, whatever spelling of its id the command carries: ids are canonical from the
 * edge on, and this keeps one stream per payment for a command that came any other way.
 */
const streamOf = (paymentId: string): string => paymentStreamId(canonicalUuid(paymentId));

/** Activities of the command workflows, built from their dependencies (no globals). */
export function createCommandActivities(deps: CommandActivityDependencies) {
  const log = deps.log ?? (() => undefined);

  /**
   * Announces the committed append to the projection followers (Postgres NOTIFY, which they LISTEN
   * to): one small statement after the commit, not a Temporal signal per projection. Fire and forget:
   * a lost announcement only delays the projections to their fallback poll.
   */
  function wakeProjections(firstPosition: bigint): void {
    notifyAppended(deps.eventStore, firstPosition).catch((error: Error) =>
      log('projection wake-up not delivered', { error: error.message }),
    );
  }

  return {
    async loadPaymentStream(input: { paymentId: string }): Promise<LoadedPaymentStream> {
      const recorded = await readStream(deps.eventStore, streamOf(input.paymentId));
      const events: PaymentEvent[] = [];
      for (const event of recorded) {
        const candidate = { type: event.type, data: event.data };
        if (isPaymentEvent(candidate)) events.push(candidate);
      }
      const last = recorded[recorded.length - 1];
      return { events, version: last?.streamVersion ?? 0, lastPosition: (last?.position ?? 0n).toString() };
    },

    async appendPaymentEvents(input: AppendPaymentEventsInput): Promise<AppendPaymentEventsOutcome> {
      const { workflowExecution } = Context.current().info;
      const streamId = streamOf(input.paymentId);
      const events = input.events.map((event, index) => {
        const eventId = eventIdFor(input.context.commandId, streamId, input.expectedVersion + index + 1);
        const metadata: EventMetadata = {
          eventId,
          commandId: input.context.commandId,
          correlationId: input.context.correlationId,
          causationId: input.context.causationId,
          userId: input.context.userId,
          organizationId: input.organizationId,
          schemaVersion: PAYMENT_EVENT_SCHEMA_VERSION,
          occurredAt: event.data.occurredAt,
          workflowId: workflowExecution?.workflowId ?? '',
          workflowRunId: workflowExecution?.runId ?? '',
        };
        return {
          eventId,
          type: event.type,
          data: event.data as unknown as Record<string, unknown>,
          metadata: { ...metadata },
          schemaVersion: PAYMENT_EVENT_SCHEMA_VERSION,
        };
      });
      try {
        const result = await appendToStream(deps.eventStore, {
          streamId,
          streamType: PAYMENT_STREAM_TYPE,
          expectedVersion: input.expectedVersion === 0 ? 'no_stream' : input.expectedVersion,
          events,
        });
        const position = result.lastPosition.toString();
        wakeProjections(result.firstPosition);
        return { appended: true, version: result.nextVersion, position };
      } catch (error) {
        if (error instanceof StreamVersionConflictError) return { appended: false, actualVersion: error.actual };
        // The workflow checks the owner before it decides, so this is a bug: fail the command, never retry into another organization's stream.
        if (error instanceof StreamOwnershipError) throw ApplicationFailure.nonRetryable(error.message, error.name);
        throw error;
      }
    },

    async chargePayment(request: ChargeRequest): Promise<ChargeOutcome> {
      const outcome = await deps.gateway.charge(request);
      log('charge answered', {
        paymentId: request.paymentId,
        outcome: outcome.outcome,
        attempt: Context.current().info.attempt,
      });
      return outcome;
    },

    async refundPayment(request: RefundRequest): Promise<RefundOutcome> {
      const outcome = await deps.gateway.refund(request);
      log('refund answered', {
        paymentId: request.paymentId,
        refundId: request.refundId,
        outcome: outcome.outcome,
        attempt: Context.current().info.attempt,
      });
      return outcome;
    },

    /** What the gateway did under a charge's idempotency key; `none` closes the key for good. */
    async findCharge(input: { paymentId: string; idempotencyKey: string }): Promise<ChargeLookup> {
      const found = await deps.gateway.findCharge(input.idempotencyKey);
      log('charge looked up', { paymentId: input.paymentId, outcome: found.outcome });
      return found;
    },

    /** What the gateway did under a refund's idempotency key; `none` closes the key for good. */
    async findRefund(input: { paymentId: string; refundId: string; idempotencyKey: string }): Promise<RefundLookup> {
      const found = await deps.gateway.findRefund(input.idempotencyKey);
      log('refund looked up', { paymentId: input.paymentId, refundId: input.refundId, outcome: found.outcome });
      return found;
    },
  };
}

export type CommandActivities = ReturnType<typeof createCommandActivities>;
