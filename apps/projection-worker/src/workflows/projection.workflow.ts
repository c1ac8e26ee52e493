import { condition, continueAsNew, patched, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import {
  projectionStatusQuery,
  resumeProjectionSignal,
  retryDeadLettersSignal,
  wakeProjectionSignal,
  type ProjectionWorkflowInput,
  type ProjectionWorkflowStatus,
} from '@gyroscops/contracts/workflows';
import type { ProjectionActivities } from '../activities/create-projection-activities';

const { applyProjectionBatch, resumeProjection, retryProjectionDeadLetters } = proxyActivities<ProjectionActivities>({
  startToCloseTimeout: '1 minute',
  // A database outage must not kill the projection: retry forever, backing off to 30 s. From the
  // fourth attempt the activity applies event by event, so a poison event is parked (or halts) instead.
  retry: { initialInterval: '200 ms', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});
/**
 * The follower: a long-running activity that applies batches as appends are announced, in the worker
 * process. It returns every few minutes (FOLLOW_RUN_MS); a worker that dies is noticed by the missing
 * heartbeats, and the next attempt (on any worker) continues from the checkpoint in Postgres.
 */
const { followProjection } = proxyActivities<ProjectionActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '200 ms', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});
const FOLLOW_RUN_MS = 5 * 60_000;
/** Histories recorded before the follower keep replaying the batch-per-activity loop. */
const FOLLOWER_PATCH = 'follow-activity';

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
 * One long-lived execution per projection (fixed workflow id, so one follower at a time). It runs
 * the follower activity (see followProjection) again and again, records its progress, and
 * continues-as-new before its history grows heavy. A halted projection waits for the resume signal;
 * dead-letter retries run beside the follower. The `wake` signal is still accepted (older appenders
 * send it) but no longer needed: the follower is woken by Postgres notifications in its process.
 *
 * Versioning: the change is behind patched('follow-activity'), not a new workflow type, because
 * the workflow id is fixed and started with USE_EXISTING, so a running execution would never be
 * replaced by a new type; with the patch, a run recorded before it replays the old loop, and a live
 * run takes the follower at its next iteration. Once no such run remains (they continue-as-new
 * within MAX_HISTORY_EVENTS), the old branch can go behind deprecatePatch.
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

  /** Dead-letter retries run beside the follower: each takes the checkpoint lock, so they never interleave with a batch. */
  let retrier: Promise<never> | undefined;
  let retrying = false;
  const retryDeadLettersOnRequest = async (): Promise<never> => {
    for (;;) {
      await condition(() => retryRequested);
      retryRequested = false;
      retrying = true;
      try {
        await retryProjectionDeadLetters({ projection: input.projection });
      } finally {
        retrying = false;
      }
    }
  };
  const continueAsNewIfDue = async () => {
    if (workflowInfo().historyLength > MAX_HISTORY_EVENTS || workflowInfo().continueAsNewSuggested) {
      if (retrier) await condition(() => !retrying && !retryRequested);
      await continueAsNew<typeof projectionWorkflow>({ projection: input.projection, iterations: (input.iterations ?? 0) + status.batches });
    }
  };

  for (;;) {
    if (patched(FOLLOWER_PATCH)) {
      retrier ??= retryDeadLettersOnRequest();
      if (resumeRequested) {
        resumeRequested = false;
        await resumeProjection({ projection: input.projection });
      }
      const followed = await followProjection({ projection: input.projection, maxRunMs: FOLLOW_RUN_MS });
      status.position = followed.position;
      status.batches += followed.batches;
      status.eventsApplied += followed.eventsApplied;
      status.lastError = followed.halted ? 'halted on a poison event' : null;
      await continueAsNewIfDue();
      if (followed.halted) await condition(() => resumeRequested);
      continue;
    }

    // Before the follower: one activity per batch, woken by the appenders' signals.
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
    await continueAsNewIfDue();
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
