import {
  canonicalPaymentCommand,
  commandWorkflowId,
  PAYMENT_COMMAND_WORKFLOW,
  TASK_QUEUES,
  type PaymentCommandRequest,
  type PaymentCommandResult,
} from '@gyroscops/contracts';
import type { IdempotencyDb } from '@gyroscops/idempotency';
import { WorkflowCommandDispatcher, type CommandReply } from './workflow-command-dispatcher';

export { COMMAND_ORGANIZATION_MEMO, type CommandReply } from './workflow-command-dispatcher';

export interface DispatchRequest {
  command: PaymentCommandRequest;
  /** Organization that scopes the idempotency key. */
  organizationId: string;
  idempotency?: { key: string; requestHash: string };
  /** `Prefer: respond-async`: answer 202 at once. */
  respondAsync: boolean;
  /** Status of a success: 201 for creations, 200 otherwise. */
  successStatus: 200 | 201;
}

export interface CommandDispatcherOptions {
  temporal: CommandDispatcherTemporal;
  idempotencyDb: IdempotencyDb;
  resultTimeoutMs: number;
  idempotencyTtlMs: number;
  taskQueue?: string;
}
type CommandDispatcherTemporal = ConstructorParameters<typeof WorkflowCommandDispatcher>[0]['temporal'];

/**
 * Payment commands on the generic dispatcher: the payment command workflow, a command still running
 * after the wait answers 202 with its location, and a success carries the payment's version as ETag.
 */
export class CommandDispatcher {
  private readonly dispatcher: WorkflowCommandDispatcher;

  constructor(options: CommandDispatcherOptions) {
    this.dispatcher = new WorkflowCommandDispatcher({
      ...options,
      taskQueue: options.taskQueue ?? TASK_QUEUES.commands,
    });
  }

  dispatch(request: DispatchRequest): Promise<CommandReply> {
    const command = canonicalPaymentCommand(request.command);
    return this.dispatcher.dispatch<PaymentCommandRequest, PaymentCommandResult>({
      workflow: PAYMENT_COMMAND_WORKFLOW,
      workflowIdOf: commandWorkflowId,
      command,
      commandId: command.context.commandId,
      withCommandId: asCommand,
      // A payment command that failed is not run again: a charge or a refund never happens twice.
      rerunAfterFailure: false,
      organizationId: request.organizationId,
      idempotency: request.idempotency,
      respondAsync: request.respondAsync,
      whenStillRunning: 'accepted',
      successStatus: request.successStatus,
      bodyOf: (result) => result,
      successHeaders: (_status, body): Record<string, string> => {
        const version = (body as Partial<PaymentCommandResult> | null)?.version;
        return version !== undefined ? { etag: `"${version}"` } : {};
      },
    });
  }
}

/**
 * The command as the claimed command id names it. A refund's id is its command's id, so a replay
 * whose first execution cannot be found (retention ran out, or the first start failed) refunds under
 * the same id and gateway key, never a second time.
 */
function asCommand(command: PaymentCommandRequest, commandId: string): PaymentCommandRequest {
  const context = { ...command.context, commandId };
  return command.kind === 'refund'
    ? { ...command, context, refund: { ...command.refund, refundId: commandId } }
    : { ...command, context };
}
