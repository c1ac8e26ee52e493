import { ApplicationFailure, Context } from '@temporalio/activity';
import { INVOICE_STREAM_TYPE, invoiceStreamId, type CommandContext, type EventMetadata } from '@gyroscops/contracts';
import { BILLING_EVENT_SCHEMA_VERSION, isInvoiceEvent, type InvoiceEvent } from '@gyroscops/domain';
import {
  appendToStream,
  notifyAppended,
  readStream,
  StreamOwnershipError,
  StreamVersionConflictError,
  type EventStoreDb,
} from '@gyroscops/event-store';
import { eventIdFor } from './create-command-activities';

export interface InvoiceActivityDependencies {
  eventStore: EventStoreDb;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** A stream as a workflow needs it: its events (of the stream's kind), version and last global position. */
export interface LoadedStream<E> {
  events: E[];
  version: number;
  /** Decimal string; '0' for a stream with no events. */
  lastPosition: string;
}

export interface AppendStreamEventsInput<E> {
  organizationId: string;
  /** The stream version the events were decided against; 0 = the stream must not exist yet. */
  expectedVersion: number;
  events: E[];
  /** Names the step: event ids derive from its command id, so a retried append is recognised. */
  context: CommandContext;
}

/** A version conflict is an answer, not a failure: the workflow reloads and decides again. */
export type AppendStreamEventsOutcome =
  { appended: true; version: number; position: string } | { appended: false; actualVersion: number };

/** Reads a stream, keeping the events a guard recognises. */
export async function loadStream<E>(
  db: EventStoreDb,
  streamId: string,
  isEvent: (candidate: { type: string; data: unknown }) => candidate is E & { type: string; data: unknown },
): Promise<LoadedStream<E>> {
  const recorded = await readStream(db, streamId);
  const events: E[] = [];
  for (const event of recorded) {
    const candidate = { type: event.type, data: event.data };
    if (isEvent(candidate)) events.push(candidate);
  }
  const last = recorded[recorded.length - 1];
  return { events, version: last?.streamVersion ?? 0, lastPosition: (last?.position ?? 0n).toString() };
}

/**
 * Appends billing events (invoice or account) with optimistic concurrency. Event ids derive from
 * the step's command id and the version each event takes, so an append retried after a lost answer
 * is recognised rather than doubled; then the projections are woken.
 */
export async function appendStreamEvents<E extends { type: string; data: { occurredAt: string } }>(
  db: EventStoreDb,
  stream: { streamId: string; streamType: string },
  input: AppendStreamEventsInput<E>,
  log: (message: string, fields?: Record<string, unknown>) => void,
): Promise<AppendStreamEventsOutcome> {
  const { workflowExecution } = Context.current().info;
  const events = input.events.map((event, index) => {
    const eventId = eventIdFor(input.context.commandId, stream.streamId, input.expectedVersion + index + 1);
    const metadata: EventMetadata = {
      eventId,
      commandId: input.context.commandId,
      correlationId: input.context.correlationId,
      causationId: input.context.causationId,
      userId: input.context.userId,
      organizationId: input.organizationId,
      schemaVersion: BILLING_EVENT_SCHEMA_VERSION,
      occurredAt: event.data.occurredAt,
      workflowId: workflowExecution?.workflowId ?? '',
      workflowRunId: workflowExecution?.runId ?? '',
    };
    return {
      eventId,
      type: event.type,
      data: event.data as unknown as Record<string, unknown>,
      metadata: { ...metadata },
      schemaVersion: BILLING_EVENT_SCHEMA_VERSION,
    };
  });
  try {
    const result = await appendToStream(db, {
      streamId: stream.streamId,
      streamType: stream.streamType,
      expectedVersion: input.expectedVersion === 0 ? 'no_stream' : input.expectedVersion,
      events,
    });
    notifyAppended(db, result.firstPosition).catch((error: Error) =>
      log('projection wake-up not delivered', { error: error.message }),
    );
    return { appended: true, version: result.nextVersion, position: result.lastPosition.toString() };
  } catch (error) {
    if (error instanceof StreamVersionConflictError) return { appended: false, actualVersion: error.actual };
    // The stream belongs to another organization: a wiring bug, never retried into it.
    if (error instanceof StreamOwnershipError) throw ApplicationFailure.nonRetryable(error.message, error.name);
    throw error;
  }
}

/** Activities on invoice streams, for the invoice payment process. */
export function createInvoiceActivities(deps: InvoiceActivityDependencies) {
  const log = deps.log ?? (() => undefined);
  return {
    loadInvoiceStream(input: { invoiceId: string }): Promise<LoadedStream<InvoiceEvent>> {
      return loadStream(deps.eventStore, invoiceStreamId(input.invoiceId), isInvoiceEvent);
    },

    appendInvoiceEvents(
      input: AppendStreamEventsInput<InvoiceEvent> & { invoiceId: string },
    ): Promise<AppendStreamEventsOutcome> {
      return appendStreamEvents(
        deps.eventStore,
        { streamId: invoiceStreamId(input.invoiceId), streamType: INVOICE_STREAM_TYPE },
        input,
        log,
      );
    },
  };
}

export type InvoiceActivities = ReturnType<typeof createInvoiceActivities>;
