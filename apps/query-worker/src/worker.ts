import { Worker, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import { workerTracingOptions } from '@gyroscops/platform/worker';
import { TASK_QUEUES } from '@gyroscops/contracts';
import { createQueryActivities, type QueryActivityDependencies } from './activities/create-query-activities';

export interface QueryWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  workflowBundle: WorkflowBundleOption;
  dependencies: QueryActivityDependencies;
  taskQueue?: string;
}

/** A worker for the query task queue: heavy analytics and reports. */
export function createQueryWorker(options: QueryWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? TASK_QUEUES.queries,
    workflowBundle: options.workflowBundle,
    // Activities continue their workflow's trace; workflow spans leave the sandbox through a sink.
    ...workerTracingOptions(),
    activities: createQueryActivities(options.dependencies),
    shutdownGraceTime: '10 seconds',
  });
}
