import { ApplicationFailure, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  rebuildProgressQuery,
  type ProjectionRebuildInput,
  type ProjectionRebuildProgress,
} from '@gyroscops/contracts/workflows';
import type { ProjectionActivities } from '../activities/create-projection-activities';

/**
 * Retried without a bound, as the live projection's batches are: a database outage must not leave a
 * rebuild dead with its projection marked `rebuilding`; each failure is recorded where GET
 * /projections shows it, and from the fourth attempt a poison event is parked or halts the rebuild.
 */
const REBUILD_RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' } as const;
const { prepareProjectionRebuild, swapProjectionRebuild } = proxyActivities<ProjectionActivities>({
  startToCloseTimeout: '10 minutes',
  retry: REBUILD_RETRY,
});
const { applyProjectionRebuildBatches } = proxyActivities<ProjectionActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  retry: REBUILD_RETRY,
});

/** A poison event halted the rebuild: it ends failed, saying which event; the live tables were never touched. */
const halted = (summary: { lastError: string | null }) =>
  ApplicationFailure.nonRetryable(`rebuild halted: ${summary.lastError ?? 'a poison event'}`, 'REBUILD_HALTED');

const MAX_HISTORY_EVENTS = 2_000;

/**
 * Zero-downtime rebuild of one projection: replay the whole event store into shadow tables in large
 * batches while the live tables keep serving (and updating), then swap them in one transaction. The
 * live projection continues from the shadow's checkpoint. Progress is readable by query. A poison
 * event under the `halt` policy ends it failed (REBUILD_HALTED), the live tables untouched.
 */
export async function projectionRebuildWorkflow(input: ProjectionRebuildInput): Promise<ProjectionRebuildProgress> {
  const startedAt = input.startedAt ? Date.parse(input.startedAt) : Date.now();
  const progress: ProjectionRebuildProgress = {
    projection: input.projection,
    phase: 'preparing',
    eventsDone: 0,
    eventsTotal: 0,
    eventsPerSecond: 0,
  };
  setHandler(rebuildProgressQuery, () => progress);
  const record = (summary: { eventsDone: number; eventsTotal: number }) => {
    progress.eventsDone = summary.eventsDone;
    progress.eventsTotal = summary.eventsTotal;
    progress.eventsPerSecond = Math.round(summary.eventsDone / Math.max((Date.now() - startedAt) / 1000, 0.001));
  };

  if (!input.prepared) record(await prepareProjectionRebuild({ projection: input.projection }));
  progress.phase = 'replaying';
  for (;;) {
    const batch = await applyProjectionRebuildBatches({ projection: input.projection });
    record(batch);
    if (batch.halted) throw halted(batch);
    if (batch.caughtUp) break;
    if (workflowInfo().historyLength > MAX_HISTORY_EVENTS) {
      await continueAsNew<typeof projectionRebuildWorkflow>({
        projection: input.projection,
        prepared: true,
        startedAt: new Date(startedAt).toISOString(),
      });
    }
  }
  progress.phase = 'swapping';
  const swapped = await swapProjectionRebuild({ projection: input.projection });
  record(swapped);
  if (swapped.halted) throw halted(swapped);
  progress.phase = 'done';
  return progress;
}
