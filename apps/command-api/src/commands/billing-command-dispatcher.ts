import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import {
  BILLING_COMMAND_WORKFLOW,
  billingCommandWorkflowId,
  canonicalUuid,
  TASK_QUEUES,
  type BillingCommandRequest,
  type BillingCommandResult,
  type BillingCommandWorkflow,
} from '@gyroscops/contracts';
import { claimIdempotencyKey, recordIdempotentResponse, type IdempotencyDb } from '@gyroscops/idempotency';
import { ApplicationError, problemOf, startWorkflow, workflowHandle, type Problem } from '@gyroscops/platform';
import { COMMAND_ORGANIZATION_MEMO, type CommandReply } from './command-dispatcher';
import { outcomeOfFailure } from './command-outcome';

export interface BillingDispatchRequest {
  command: BillingCommandRequest;
  idempotency?: { key: string; requestHash: string };
  /** Status of a success: 200 for a plan, 202 for a usage batch (accepted for billing). */
  successStatus: 200 | 202;
  /** The answer's body from the workflow's result. */
  bodyOf: (result: BillingCommandResult) => unknown;
}

type Settled = { kind: 'succeeded'; result: BillingCommandResult } | { kind: 'rejected' | 'broken'; problem: Problem };

export interface BillingCommandDispatcherOptions {
  temporal: Client;
  idempotencyDb: IdempotencyDb;
  resultTimeoutMs: number;
  idempotencyTtlMs: number;
  taskQueue?: string;
}

/**
 * Runs a billing command as its workflow and waits for its answer, with the guarantees of the
 * payment commands' dispatcher: an Idempotency-Key is claimed first (scoped to the command's
 * organization), a repeat attaches to the same execution or replays the stored answer, and another
 * request with the key is a 409. A command that outlasts the wait answers 504: both commands are
 * safe to repeat (record ids and an equal plan make a repeat change nothing).
 */
export class BillingCommandDispatcher {
  constructor(private readonly options: BillingCommandDispatcherOptions) {}

  async dispatch(request: BillingDispatchRequest): Promise<CommandReply> {
    let command: BillingCommandRequest = {
      ...request.command,
      context: { ...request.command.context, commandId: canonicalUuid(request.command.context.commandId) },
    };
    const { organizationId } = command;
    if (request.idempotency) {
      const claim = await claimIdempotencyKey(this.options.idempotencyDb, {
        organizationId,
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
          const headers: Record<string, string> = { 'idempotent-replayed': 'true' };
          if (claim.response.status >= 400) headers['content-type'] = 'application/problem+json';
          return { status: claim.response.status, body: claim.response.body, headers };
        }
        command = { ...command, context: { ...command.context, commandId: claim.commandId } };
      }
    }
    const handle = await this.startOrAttach(command);
    const reply = await this.awaitReply(handle, request);
    if (request.idempotency && reply.status < 500) {
      await recordIdempotentResponse(
        this.options.idempotencyDb,
        { organizationId, key: request.idempotency.key, commandId: command.context.commandId },
        { status: reply.status, body: reply.body },
      );
    }
    return reply;
  }

  private async startOrAttach(command: BillingCommandRequest): Promise<WorkflowHandle<BillingCommandWorkflow>> {
    const workflowId = billingCommandWorkflowId(command.context.commandId);
    try {
      return await startWorkflow(this.options.temporal, BILLING_COMMAND_WORKFLOW, {
        workflowId,
        taskQueue: this.options.taskQueue ?? TASK_QUEUES.commands,
        args: [command],
        memo: { [COMMAND_ORGANIZATION_MEMO]: command.organizationId },
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError)
        return workflowHandle(this.options.temporal, BILLING_COMMAND_WORKFLOW, workflowId);
      throw error;
    }
  }

  private async awaitReply(
    handle: WorkflowHandle<BillingCommandWorkflow>,
    request: BillingDispatchRequest,
  ): Promise<CommandReply> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.resultTimeoutMs);
    });
    try {
      const settled = await Promise.race([
        handle.result().then(
          (result): Settled => ({ kind: 'succeeded', result }),
          (error: unknown): Settled => {
            const outcome = outcomeOfFailure(error);
            // A failed workflow never has a result: outcomeOfFailure answers a problem.
            return outcome.kind === 'succeeded' ? { kind: 'broken', problem: problemOf('INTERNAL') } : outcome;
          },
        ),
        timedOut,
      ]);
      if (settled === 'timeout') {
        throw new ApplicationError('TIMEOUT', 'the command is still running: repeat the request to get its answer');
      }
      if (settled.kind === 'succeeded') {
        return { status: request.successStatus, body: request.bodyOf(settled.result), headers: {} };
      }
      return {
        status: settled.problem.status,
        body: settled.problem,
        headers: { 'content-type': 'application/problem+json' },
      };
    } finally {
      clearTimeout(timer);
    }
  }
}
