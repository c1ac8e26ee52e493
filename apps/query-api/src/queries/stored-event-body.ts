import type { StoredEventBody, TimelineEventBody } from '@gyroscops/contracts';
import type { RecordedEvent } from '@gyroscops/event-store';

/** An event as the API shows it: positions as decimal strings (int8 does not fit a JSON number), times in ISO. */
export function toStoredEventBody(event: RecordedEvent): StoredEventBody {
  return {
    eventId: event.eventId,
    type: event.type,
    streamId: event.streamId,
    streamType: event.streamType,
    version: event.streamVersion,
    position: event.position.toString(),
    recordedAt: event.recordedAt.toISOString(),
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata: event.metadata,
  };
}

const stringOrNull = (value: unknown) => (typeof value === 'string' ? value : null);

/** A timeline entry also names the workflow execution that appended the event (from its metadata). */
export function toTimelineEventBody(event: RecordedEvent): TimelineEventBody {
  return {
    ...toStoredEventBody(event),
    workflowId: stringOrNull(event.metadata.workflowId),
    workflowRunId: stringOrNull(event.metadata.workflowRunId),
  };
}
