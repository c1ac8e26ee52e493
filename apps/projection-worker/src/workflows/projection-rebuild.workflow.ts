import { continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { rebuildProgressQuery, type ProjectionRebuildInput, type ProjectionRebuildProgress } from '@gyroscops/contracts/workflows';
import type { ProjectionActivities } from '../activities/create-projection-activities';

const { prepareProjectionRebuild, swapProjectionRebuild } = proxyActivities<ProjectionActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});
const { applyProjectionRebuildBatches } = proxyActivities<ProjectionActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

const MAX_HISTORY_EVENTS = 2_000;

/**
 * Zero-downtime rebuild of one projection: replay the whole event store into shadow tables in large
 * batches while the live tables keep serving (and updating), then swap them in one transaction. The
 * live projection continues from the shadow's checkpoint. Progress is readable by query.
 */
export async function projectionRebuildWorkflow(input: ProjectionRebuildInput): Promise<ProjectionRebuildProgress> {
  const startedAt = input.startedAt ? Date.parse(input.startedAt) : Date.now();
  const progress: ProjectionRebuildProgress = { projection: input.projection, phase: 'preparing', eventsDone: 0, eventsTotal: 0, eventsPerSecond: 0 };
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
    if (batch.caughtUp) break;
    if (workflowInfo().historyLength > MAX_HISTORY_EVENTS) {
      await continueAsNew<typeof projectionRebuildWorkflow>({ projection: input.projection, prepared: true, startedAt: new Date(startedAt).toISOString() });
    }
  }
  progress.phase = 'swapping';
  record(await swapProjectionRebuild({ projection: input.projection }));
  progress.phase = 'done';
  return progress;
}
