import type { Duration } from '@temporalio/common';
import { Worker, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import { workerTracingOptions } from '@gyroscops/platform/worker';
import { TASK_QUEUES } from '@gyroscops/contracts';
import { createBillingCommandActivities } from './activities/billing-command-activities';
import { createCommandActivities, type CommandActivityDependencies } from './activities/create-command-activities';
import { createInvoiceActivities } from './activities/invoice-activities';
import { createOrganizationAccountActivities } from './activities/organization-account-activities';

export interface CommandWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  workflowBundle: WorkflowBundleOption;
  dependencies: CommandActivityDependencies;
  taskQueue?: string;
  maxConcurrentActivityTaskExecutions?: number;
  /** How long in-flight activities may run on after shutdown() before they are cancelled. */
  shutdownGraceTime?: Duration;
  /** Replaces activities (tests that stop a worker mid-command). */
  activities?: Partial<ReturnType<typeof createCommandActivities>>;
}

/** A worker for the command task queue: the payment and billing command workflows and their activities. */
export function createCommandWorker(options: CommandWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? TASK_QUEUES.commands,
    workflowBundle: options.workflowBundle,
    // Activities continue their workflow's trace; workflow spans leave the sandbox through a sink.
    ...workerTracingOptions(),
    activities: {
      ...createCommandActivities(options.dependencies),
      ...createBillingCommandActivities(options.dependencies),
      ...createInvoiceActivities(options.dependencies),
      ...createOrganizationAccountActivities(options.dependencies),
      ...options.activities,
    },
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 100,
    shutdownGraceTime: options.shutdownGraceTime ?? '10 seconds',
  });
}
