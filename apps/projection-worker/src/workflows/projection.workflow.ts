import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  projectionStatusQuery,
  resumeProjectionSignal,
  retryDeadLettersSignal,
  type ProjectionWorkflowInput,
  type ProjectionWorkflowStatus,
} from '@gyroscops/contracts/workflows';
import type { ProjectionActivities } from '../activities/create-projection-activities';

const { resumeProjection, retryProjectionDeadLetters } = proxyActivities<ProjectionActivities>({
  startToCloseTimeout: '1 minute',
  // A database outage must not kill the projection: retry forever, backing off to 30 s.
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

/** Continue-as-new well before the history gets heavy (signals add to it too). */
const MAX_HISTORY_EVENTS = 5_000;

/**
 * One long-lived execution per projection (fixed workflow id, so one follower at a time). It runs
 * the follower activity (see followProjection) again and again, records its progress, and
 * continues-as-new before its history grows heavy. A halted projection waits for the resume signal;
 * dead-letter retries run beside the follower. The follower is woken by Postgres notifications in
 * its own process, so appends send the workflow nothing.
 *
 * The workflow id is fixed and started with USE_EXISTING, so a running execution is never replaced
 * by a new workflow type: a change to what it records goes behind `patched()` (see
 * docs/workflow-versioning.md), and running executions take the new path at their next iteration.
 */
export async function projectionWorkflow(input: ProjectionWorkflowInput): Promise<void> {
  const status: ProjectionWorkflowStatus = {
    projection: input.projection,
    position: '0',
    batches: 0,
    eventsApplied: 0,
    lastError: null,
  };
  let resumeRequested = false;
  let retryRequested = false;
  setHandler(resumeProjectionSignal, () => {
    resumeRequested = true;
  });
  setHandler(retryDeadLettersSignal, () => {
    retryRequested = true;
  });
  setHandler(projectionStatusQuery, () => status);

  /** Dead-letter retries run beside the follower: each takes the checkpoint lock, so they never interleave with a batch. */
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
  void retryDeadLettersOnRequest();
  const continueAsNewIfDue = async () => {
    if (workflowInfo().historyLength > MAX_HISTORY_EVENTS || workflowInfo().continueAsNewSuggested) {
      await condition(() => !retrying && !retryRequested);
      await continueAsNew<typeof projectionWorkflow>({
        projection: input.projection,
        iterations: (input.iterations ?? 0) + status.batches,
      });
    }
  };

  for (;;) {
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
  }
}
