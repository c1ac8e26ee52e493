/** The envelope metadata every stored event carries (versioned with the event's schemaVersion). */
export interface EventMetadata {
  eventId: string;
  commandId: string;
  correlationId: string;
  causationId: string;
  userId: string;
  organizationId: string;
  schemaVersion: number;
  occurredAt: string;
  /** The Temporal workflow execution that appended the event (joins events with workflows in a timeline). */
  workflowId: string;
  workflowRunId: string;
  /**
   * W3C trace context of the span that appended the event (set by the event store when tracing is
   * on): whoever applies the event later links its span to the request's trace.
   */
  traceparent?: string;
}
