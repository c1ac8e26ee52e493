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
}
