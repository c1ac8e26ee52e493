import { Worker, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { PROJECTION_WORKFLOW, projectionWorkflowId, TASK_QUEUES } from '@gyroscops/contracts';
import { ensureCheckpoint, type Projection } from '@gyroscops/projections';
import { createProjectionActivities, type ProjectionActivityDependencies } from './activities/create-projection-activities';

export interface ProjectionWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  workflowBundle: WorkflowBundleOption;
  dependencies: ProjectionActivityDependencies;
  taskQueue?: string;
}

/** A worker for the projection task queue. */
export function createProjectionWorker(options: ProjectionWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? TASK_QUEUES.projections,
    workflowBundle: options.workflowBundle,
    activities: createProjectionActivities(options.dependencies),
    shutdownGraceTime: '10 seconds',
  });
}

/**
 * Makes sure every projection has a checkpoint and a running workflow. Starting is idempotent: with
 * the USE_EXISTING conflict policy a second worker instance attaches to the running execution, so
 * each projection keeps exactly one applier however many workers run.
 */
export async function startProjectionWorkflows(
  client: Client,
  readDb: ProjectionActivityDependencies['readDb'],
  projections: Record<string, Projection>,
  taskQueue: string = TASK_QUEUES.projections,
): Promise<void> {
  for (const projection of Object.values(projections)) {
    await ensureCheckpoint(readDb, projection.name, projection.version);
    await client.workflow.start(PROJECTION_WORKFLOW, {
      workflowId: projectionWorkflowId(projection.name),
      taskQueue,
      args: [{ projection: projection.name }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
  }
}
