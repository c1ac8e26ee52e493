import { condition, continueAsNew, patched, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import {
  projectionStatusQuery,
  resumeProjectionSignal,
  retryDeadLettersSignal,
  wakeProjectionSignal,
  type ProjectionWorkflowInput,
  type ProjectionWorkflowStatus,
} from '@gyroscops/contracts';
import type { ProjectionActivities } from '../activities/create-projection-activities';

const { applyProjectionBatch, resumeProjection, retryProjectionDeadLetters } = proxyActivities<ProjectionActivities>({
  startToCloseTimeout: '1 minute',
  // A database outage must not kill the projection: retry forever, backing off to 30 s. From the
  // fourth attempt the activity applies event by event, so a poison event is parked (or halts) instead.
  retry: { initialInterval: '200 ms', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** Without a wake-up signal, look for new events this often anyway (a lost signal costs this much lag). */
const FALLBACK_POLL = '5 seconds';
/**
 * Woken for an event the gap-safe read cannot see yet (an older transaction somewhere in the cluster
 * is still open), look again soon rather than at the fallback timer: from 50 ms, doubling to 1 s.
 */
const BEHIND_WAKE_FIRST_DELAY_MS = 50;
const BEHIND_WAKE_MAX_DELAY_MS = 1_000;
/** Continue-as-new well before the history gets heavy (signals add to it too). */
const MAX_HISTORY_EVENTS = 5_000;

/**
 * One long-lived execution per projection (fixed workflow id, so one applier at a time). Applies
 * batches until caught up, then sleeps until an append wakes it (or the fallback timer fires). A
 * halted projection waits for the resume signal.
 */
export async function projectionWorkflow(input: ProjectionWorkflowInput): Promise<void> {
  const status: ProjectionWorkflowStatus = { projection: input.projection, position: '0', batches: 0, eventsApplied: 0, lastError: null };
  let woken = false;
  /** The highest position an append announced: the projection owes everything up to it. */
  let announced = 0n;
  let behindDelayMs = BEHIND_WAKE_FIRST_DELAY_MS;
  let resumeRequested = false;
  let retryRequested = false;
  setHandler(wakeProjectionSignal, ({ position }) => {
    woken = true;
    if (/^\d+$/.test(position) && BigInt(position) > announced) announced = BigInt(position);
  });
  setHandler(resumeProjectionSignal, () => {
    resumeRequested = true;
  });
  setHandler(retryDeadLettersSignal, () => {
    retryRequested = true;
  });
  setHandler(projectionStatusQuery, () => status);

  for (;;) {
    if (retryRequested) {
      retryRequested = false;
      await retryProjectionDeadLetters({ projection: input.projection });
    }
    if (resumeRequested) {
      resumeRequested = false;
      await resumeProjection({ projection: input.projection });
    }
    woken = false;
    const batch = await applyProjectionBatch({ projection: input.projection });
    status.position = batch.position;
    status.batches += 1;
    status.eventsApplied += batch.eventsRead;
    status.lastError = batch.halted ? 'halted on a poison event' : null;
    if (workflowInfo().historyLength > MAX_HISTORY_EVENTS || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof projectionWorkflow>({ projection: input.projection, iterations: (input.iterations ?? 0) + status.batches });
    }
    if (batch.halted) {
      await condition(() => resumeRequested || retryRequested);
    } else if (batch.caughtUp && BigInt(batch.position) < announced && patched('repoll-when-behind-a-wake')) {
      await sleep(behindDelayMs);
      behindDelayMs = Math.min(behindDelayMs * 2, BEHIND_WAKE_MAX_DELAY_MS);
    } else {
      behindDelayMs = BEHIND_WAKE_FIRST_DELAY_MS;
      if (batch.caughtUp && !woken) await condition(() => woken || resumeRequested || retryRequested, FALLBACK_POLL);
    }
  }
}
