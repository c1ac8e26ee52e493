import { defineQuery, defineSignal } from '@temporalio/workflow';

export const PROJECTION_WORKFLOW = 'projectionWorkflow';

/** Fixed id: Temporal guarantees one running execution per id, so one applier per projection. */
export const projectionWorkflowId = (projection: string) => `projection-${projection}`;

export interface ProjectionWorkflowInput {
  projection: string;
  /** Carried across continue-as-new. */
  iterations?: number;
}

/** Sent after every append so a caught-up projection applies new events at once instead of at its next timer. */
export const wakeProjectionSignal = defineSignal<[{ position: string }]>('wake');

export interface ProjectionWorkflowStatus {
  projection: string;
  position: string;
  batches: number;
  eventsApplied: number;
  lastError: string | null;
}
export const projectionStatusQuery = defineQuery<ProjectionWorkflowStatus>('status');

/** Projections the projection-worker runs, by name. */
export const PROJECTIONS = { payments: 'payments' } as const;
export type ProjectionName = (typeof PROJECTIONS)[keyof typeof PROJECTIONS];
