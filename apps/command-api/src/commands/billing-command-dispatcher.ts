import {
  BILLING_COMMAND_WORKFLOW,
  billingCommandWorkflowId,
  canonicalUuid,
  TASK_QUEUES,
  type BillingCommandRequest,
  type BillingCommandResult,
} from '@gyroscops/contracts';
import type { IdempotencyDb } from '@gyroscops/idempotency';
import { WorkflowCommandDispatcher, type CommandReply } from './workflow-command-dispatcher';

export interface BillingDispatchRequest {
  command: BillingCommandRequest;
  idempotency?: { key: string; requestHash: string };
  /** Status of a success: 200 for a plan, 202 for a usage batch (accepted for billing). */
  successStatus: 200 | 202;
  /** The answer's body from the workflow's result. */
  bodyOf: (result: BillingCommandResult) => unknown;
}

export interface BillingCommandDispatcherOptions {
  temporal: ConstructorParameters<typeof WorkflowCommandDispatcher>[0]['temporal'];
  idempotencyDb: IdempotencyDb;
  resultTimeoutMs: number;
  idempotencyTtlMs: number;
  taskQueue?: string;
}

/**
 * Billing commands on the generic dispatcher, scoped to the command's organization. A command that
 * outlasts the wait answers 504: both commands are safe to repeat (record ids and an equal plan make
 * a repeat change nothing).
 */
export class BillingCommandDispatcher {
  private readonly dispatcher: WorkflowCommandDispatcher;

  constructor(options: BillingCommandDispatcherOptions) {
    this.dispatcher = new WorkflowCommandDispatcher({
      ...options,
      taskQueue: options.taskQueue ?? TASK_QUEUES.commands,
    });
  }

  dispatch(request: BillingDispatchRequest): Promise<CommandReply> {
    const command: BillingCommandRequest = {
      ...request.command,
      context: { ...request.command.context, commandId: canonicalUuid(request.command.context.commandId) },
    };
    return this.dispatcher.dispatch<BillingCommandRequest, BillingCommandResult>({
      workflow: BILLING_COMMAND_WORKFLOW,
      workflowIdOf: billingCommandWorkflowId,
      command,
      commandId: command.context.commandId,
      withCommandId: (claimed, commandId) => ({ ...claimed, context: { ...claimed.context, commandId } }),
      // A plan or a usage batch may run again: record ids and an equal plan make a repeat change nothing.
      rerunAfterFailure: true,
      organizationId: command.organizationId,
      idempotency: request.idempotency,
      respondAsync: false,
      whenStillRunning: 'timeout',
      successStatus: request.successStatus,
      bodyOf: request.bodyOf,
      successHeaders: () => ({}),
    });
  }
}
