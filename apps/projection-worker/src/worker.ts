import type { Duration } from '@temporalio/common';
import { Worker, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import { startWorkflow } from '@gyroscops/platform';
import { workerTracingOptions } from '@gyroscops/platform/worker';
import type { Client } from '@temporalio/client';
import {
  PROJECTION_REBUILD_WORKFLOW,
  PROJECTION_WORKFLOW,
  projectionRebuildWorkflowId,
  projectionWorkflowId,
  TASK_QUEUES,
} from '@gyroscops/contracts';
import { ensureCheckpoint, LocalWakeups, readCheckpoints, type Projection } from '@gyroscops/projections';
import {
  createProjectionActivities,
  type ProjectionActivities,
  type ProjectionActivityDependencies,
} from './activities/create-projection-activities';

const withOverrides = (
  real: ProjectionActivities,
  wrap?: (real: ProjectionActivities) => Partial<ProjectionActivities>,
): ProjectionActivities => (wrap ? { ...real, ...wrap(real) } : real);

export interface ProjectionWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  workflowBundle: WorkflowBundleOption;
  dependencies: ProjectionActivityDependencies;
  taskQueue?: string;
  shutdownGraceTime?: Duration;
  /** Wraps activities (tests that stop a worker between a committed batch and its report). */
  wrapActivities?: (real: ProjectionActivities) => Partial<ProjectionActivities>;
}

/**
 * How long a stopping worker lets its activities run before cancelling them. A follower runs for
 * minutes and stops between two batches when cancelled (each batch is one transaction with its
 * checkpoint, so nothing is lost or doubled), and another worker (or this one, restarted) resumes
 * from the checkpoint: waiting longer only delays the shutdown. Rebuild batches end by themselves
 * within seconds.
 */
const SHUTDOWN_GRACE_TIME = '1 second';

/** Without append notifications, a follower looks for new events this often. */
const POLL_WITHOUT_NOTIFICATIONS_MS = 100;

/**
 * A worker for the projection task queue. Without `dependencies.wakeups` (no LISTEN connection, as
 * in tests that run the worker in process) its followers poll, and still wake each other.
 */
export function createProjectionWorker(options: ProjectionWorkerOptions): Promise<Worker> {
  const dependencies: ProjectionActivityDependencies = options.dependencies.wakeups
    ? options.dependencies
    : {
        ...options.dependencies,
        wakeups: new LocalWakeups(),
        pollMs: options.dependencies.pollMs ?? POLL_WITHOUT_NOTIFICATIONS_MS,
      };
  // The follower applies each batch through the final activity table, wrappers included.
  const activities: ProjectionActivities = withOverrides(
    createProjectionActivities(dependencies, { applyBatch: (input) => activities.applyProjectionBatch(input) }),
    options.wrapActivities,
  );
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? TASK_QUEUES.projections,
    workflowBundle: options.workflowBundle,
    // Activities continue their workflow's trace; workflow spans leave the sandbox through a sink.
    ...workerTracingOptions(),
    activities,
    shutdownGraceTime: options.shutdownGraceTime ?? SHUTDOWN_GRACE_TIME,
  });
}

/**
 * Makes sure every projection has a checkpoint and a running workflow, and starts a rebuild for each
 * projection whose code version differs from the version its rows were built with. Starting is
 * idempotent: with the USE_EXISTING conflict policy a second worker instance attaches to the running
 * execution, so each projection keeps exactly one applier however many workers run.
 */
export async function startProjectionWorkflows(
  client: Client,
  readDb: ProjectionActivityDependencies['readDb'],
  projections: Record<string, Projection>,
  taskQueue: string = TASK_QUEUES.projections,
): Promise<void> {
  for (const projection of Object.values(projections)) {
    await ensureCheckpoint(readDb, projection.name, projection.version);
    await startWorkflow(client, PROJECTION_WORKFLOW, {
      workflowId: projectionWorkflowId(projection.name),
      taskQueue,
      args: [{ projection: projection.name }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
  }
  for (const checkpoint of await readCheckpoints(readDb, Object.keys(projections))) {
    const projection = projections[checkpoint.projection];
    if (projection && checkpoint.version !== projection.version)
      await startProjectionRebuild(client, projection.name, taskQueue);
  }
}

/** Starts a zero-downtime rebuild, or attaches to the one already running for that projection. */
export async function startProjectionRebuild(
  client: Client,
  projection: string,
  taskQueue: string = TASK_QUEUES.projections,
) {
  return startWorkflow(client, PROJECTION_REBUILD_WORKFLOW, {
    workflowId: projectionRebuildWorkflowId(projection),
    taskQueue,
    args: [{ projection }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
}
