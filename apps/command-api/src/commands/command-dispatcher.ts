import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import {
  canonicalPaymentCommand,
  commandWorkflowId,
  PAYMENT_COMMAND_WORKFLOW,
  TASK_QUEUES,
  type PaymentCommandRequest,
  type PaymentCommandResult,
  type PaymentCommandWorkflow,
} from '@gyroscops/contracts';
import { claimIdempotencyKey, recordIdempotentResponse, type IdempotencyDb } from '@gyroscops/idempotency';
import {
  ApplicationError,
  isTemporalUnavailable,
  startWorkflow,
  temporalUnavailable,
  workflowHandle,
} from '@gyroscops/platform';
import { outcomeOfFailure, type CommandOutcome } from './command-outcome';

/** An HTTP answer, ready to send. */
export interface CommandReply {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

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
  temporal: Client;
  idempotencyDb: IdempotencyDb;
  resultTimeoutMs: number;
  idempotencyTtlMs: number;
  taskQueue?: string;
}

/** Memo key of a command workflow: the organization of the payment it acts on. */
export const COMMAND_ORGANIZATION_MEMO = 'organizationId';

const commandLocation = (commandId: string) => `/commands/${commandId}`;

/**
 * Runs a command as its workflow and turns the outcome into an HTTP answer. With an idempotency key,
 * the key is claimed first: a repeat of the same request attaches to the same workflow execution (or
 * replays the stored answer), a different request with the key is refused with 409.
 */
export class CommandDispatcher {
  constructor(private readonly options: CommandDispatcherOptions) {}

  async dispatch(request: DispatchRequest): Promise<CommandReply> {
    let command = canonicalPaymentCommand(request.command);
    if (request.idempotency) {
      const claim = await claimIdempotencyKey(this.options.idempotencyDb, {
        organizationId: request.organizationId,
        key: request.idempotency.key,
        requestHash: request.idempotency.requestHash,
        commandId: command.context.commandId,
        ttlMs: this.options.idempotencyTtlMs,
      });
      if (claim.kind === 'mismatch') {
        throw new ApplicationError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request');
      }
      if (claim.kind === 'replay') {
        if (claim.response) {
          return {
            status: claim.response.status,
            body: claim.response.body,
            headers: { ...this.headersOf(claim.response.status, claim.response.body), 'idempotent-replayed': 'true' },
          };
        }
        command = asCommand(command, claim.commandId);
      }
    }
    const handle = await this.startOrAttach(command, request.organizationId);
    const reply = request.respondAsync
      ? this.accepted(command.context.commandId)
      : await this.awaitReply(handle, command.context.commandId, request.successStatus);
    if (request.idempotency && reply.status < 500 && !(reply.status === 202 && !request.respondAsync)) {
      await recordIdempotentResponse(
        this.options.idempotencyDb,
        { organizationId: request.organizationId, key: request.idempotency.key, commandId: command.context.commandId },
        { status: reply.status, body: reply.body },
      );
    }
    return reply;
  }

  /**
   * Starts the command's workflow, or attaches to it when it already runs or ran (same command id).
   * The memo names the payment's organization: `GET /commands/{id}` shows a command only to callers
   * of that organization.
   */
  private async startOrAttach(
    command: PaymentCommandRequest,
    organizationId: string,
  ): Promise<WorkflowHandle<PaymentCommandWorkflow>> {
    const workflowId = commandWorkflowId(command.context.commandId);
    try {
      return await startWorkflow(this.options.temporal, PAYMENT_COMMAND_WORKFLOW, {
        workflowId,
        taskQueue: this.options.taskQueue ?? TASK_QUEUES.commands,
        args: [command],
        memo: { [COMMAND_ORGANIZATION_MEMO]: organizationId },
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError)
        return workflowHandle(this.options.temporal, PAYMENT_COMMAND_WORKFLOW, workflowId);
      if (isTemporalUnavailable(error)) throw temporalUnavailable(error, 'commands');
      throw error;
    }
  }

  private async awaitReply(
    handle: WorkflowHandle<PaymentCommandWorkflow>,
    commandId: string,
    successStatus: 200 | 201,
  ): Promise<CommandReply> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.resultTimeoutMs);
    });
    try {
      const settled = await Promise.race([
        handle.result().then(
          (result): CommandOutcome => ({ kind: 'succeeded', result }),
          (error: unknown) => {
            // The command may have run or may still run: the client retries (same Idempotency-Key) or follows it.
            if (isTemporalUnavailable(error)) throw temporalUnavailable(error, 'commands');
            return outcomeOfFailure(error);
          },
        ),
        timedOut,
      ]);
      // Still running: hand the client the place to follow it instead of holding the connection.
      if (settled === 'timeout') return this.accepted(commandId);
      return this.replyOf(settled, successStatus);
    } finally {
      clearTimeout(timer);
    }
  }

  private accepted(commandId: string): CommandReply {
    return {
      status: 202,
      body: { commandId },
      headers: { location: commandLocation(commandId), 'preference-applied': 'respond-async' },
    };
  }

  private replyOf(outcome: CommandOutcome, successStatus: 200 | 201): CommandReply {
    if (outcome.kind === 'succeeded') {
      return { status: successStatus, body: outcome.result, headers: this.headersOf(successStatus, outcome.result) };
    }
    return {
      status: outcome.problem.status,
      body: outcome.problem,
      headers: { 'content-type': 'application/problem+json' },
    };
  }

  private headersOf(status: number, body: unknown): Record<string, string> {
    if (status >= 400) return { 'content-type': 'application/problem+json' };
    const result = body as Partial<PaymentCommandResult>;
    if (status === 202 && typeof (body as { commandId?: string }).commandId === 'string') {
      return { location: commandLocation((body as { commandId: string }).commandId) };
    }
    return result.version !== undefined ? { etag: `"${result.version}"` } : {};
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
