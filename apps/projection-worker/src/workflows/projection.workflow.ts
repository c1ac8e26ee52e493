import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  projectionStatusQuery,
  wakeProjectionSignal,
  type ProjectionWorkflowInput,
  type ProjectionWorkflowStatus,
} from '@gyroscops/contracts';
import type { ProjectionActivities } from '../activities/create-projection-activities';

const { applyProjectionBatch } = proxyActivities<ProjectionActivities>({
  startToCloseTimeout: '1 minute',
  // A database outage must not kill the projection: retry forever, backing off to 30 s.
  retry: { initialInterval: '200 ms', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** Without a wake-up signal, look for new events this often anyway (a lost signal costs this much lag). */
const FALLBACK_POLL = '5 seconds';
/** Continue-as-new well before the history gets heavy (signals add to it too). */
const MAX_HISTORY_EVENTS = 5_000;

/**
 * One long-lived execution per projection (fixed workflow id, so one applier at a time). Applies
 * batches until caught up, then sleeps until an append wakes it (or the fallback timer fires).
 */
export async function projectionWorkflow(input: ProjectionWorkflowInput): Promise<void> {
  const status: ProjectionWorkflowStatus = { projection: input.projection, position: '0', batches: 0, eventsApplied: 0, lastError: null };
  let woken = false;
  setHandler(wakeProjectionSignal, () => {
    woken = true;
  });
  setHandler(projectionStatusQuery, () => status);

  for (;;) {
    woken = false;
    const batch = await applyProjectionBatch({ projection: input.projection });
    status.position = batch.position;
    status.batches += 1;
    status.eventsApplied += batch.eventsRead;
    if (workflowInfo().historyLength > MAX_HISTORY_EVENTS || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof projectionWorkflow>({ projection: input.projection, iterations: (input.iterations ?? 0) + status.batches });
    }
    if (batch.caughtUp && !woken) await condition(() => woken, FALLBACK_POLL);
  }
}
