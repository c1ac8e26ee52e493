import { defineQuery, defineSignal } from '@temporalio/workflow';
import { defineWorkflow } from './workflow-definition';

/** Fixed id: Temporal guarantees one running execution per id, so one applier per projection. */
export const projectionWorkflowId = (projection: string) => `projection-${projection}`;

export interface ProjectionWorkflowInput {
  projection: string;
  /** Carried across continue-as-new. */
  iterations?: number;
}

/** Follows the event store into one read model, forever (continuing as new now and then). */
export type ProjectionWorkflow = (input: ProjectionWorkflowInput) => Promise<void>;
export const PROJECTION_WORKFLOW = defineWorkflow<ProjectionWorkflow>()('projectionWorkflow');

export interface ProjectionWorkflowStatus {
  projection: string;
  position: string;
  batches: number;
  eventsApplied: number;
  lastError: string | null;
}
export const projectionStatusQuery = defineQuery<ProjectionWorkflowStatus>('status');

/** Projections the projection-worker runs, by name. */
export const PROJECTIONS = {
  payments: 'payments',
  paymentStatistics: 'payment_statistics',
  eventCounts: 'event_counts',
  invoices: 'invoices',
  organizations: 'organizations',
  usageSeries: 'usage_series',
  paymentAnalytics: 'payment_analytics',
  revenueAnalytics: 'revenue_analytics',
} as const;
export type ProjectionName = (typeof PROJECTIONS)[keyof typeof PROJECTIONS];

/** Lets a halted projection try its checkpoint again. */
export const resumeProjectionSignal = defineSignal('resume');
/** Applies the projection's parked events again. */
export const retryDeadLettersSignal = defineSignal('retryDeadLetters');

/** One rebuild per projection at a time. */
export const projectionRebuildWorkflowId = (projection: string) => `projection-rebuild-${projection}`;

export interface ProjectionRebuildInput {
  projection: string;
  /** Carried across continue-as-new: the rebuild was prepared already. */
  prepared?: boolean;
  startedAt?: string;
}

export interface ProjectionRebuildProgress {
  projection: string;
  phase: 'preparing' | 'replaying' | 'swapping' | 'done';
  eventsDone: number;
  eventsTotal: number;
  eventsPerSecond: number;
}
export const rebuildProgressQuery = defineQuery<ProjectionRebuildProgress>('progress');

/** Rebuilds one read model in shadow tables and swaps them in; ends with its final progress. */
export type ProjectionRebuildWorkflow = (input: ProjectionRebuildInput) => Promise<ProjectionRebuildProgress>;
export const PROJECTION_REBUILD_WORKFLOW = defineWorkflow<ProjectionRebuildWorkflow>()('projectionRebuildWorkflow');
