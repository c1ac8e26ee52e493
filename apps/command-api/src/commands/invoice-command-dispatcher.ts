import {
  ApplicationFailure,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import {
  canonicalUuid,
  COMMAND_REJECTIONS,
  INVOICE_PAYMENT_WORKFLOW,
  invoicePaymentWorkflowId,
  ORGANIZATION_ACCOUNT_COMMAND_WORKFLOW,
  organizationAccountCommandWorkflowId,
  payInvoiceUpdate,
  TASK_QUEUES,
  voidInvoiceUpdate,
  type CommandContext,
  type CommandRejectionCode,
  type CommandRejectionDetails,
  type InvoicePaymentWorkflow,
} from '@gyroscops/contracts';
import type { Metadata } from '@gyroscops/domain';
import { claimIdempotencyKey, recordIdempotentResponse, type IdempotencyDb } from '@gyroscops/idempotency';
import {
  ApplicationError,
  isTemporalUnavailable,
  problemOf,
  startWorkflow,
  temporalUnavailable,
  workflowHandle,
  type Problem,
} from '@gyroscops/platform';
import { COMMAND_ORGANIZATION_MEMO, type CommandReply } from './command-dispatcher';

export interface InvoiceCommandDispatcherOptions {
  temporal: Client;
  idempotencyDb: IdempotencyDb;
  resultTimeoutMs: number;
  idempotencyTtlMs: number;
  taskQueue?: string;
}

/** A command of this dispatcher: who asks, for which organization, and its Idempotency-Key. */
interface CommandCall {
  organizationId: string;
  context: CommandContext;
  idempotency?: { key: string; requestHash: string };
  /** Refuses the command (throws) before it runs; after the key is claimed, so a repeat still replays its answer. */
  check?: () => void;
  /** Answer the result's version as an ETag (a pay, as POST /payments does). */
  etag?: boolean;
}

type Settled = { kind: 'succeeded'; body: unknown } | { kind: 'refused'; problem: Problem };

/**
 * Runs the invoice commands (pay and void: Updates on the invoice's payment process, which an
 * update-with-start begins again when it has ended) and the account command (the payment method:
 * a workflow of its own), with the guarantees of every command: an Idempotency-Key is claimed
 * first (scoped to the organization), a repeat replays the stored answer or attaches to the same
 * update (its id is the command id) or execution, and another request with the key is a 409. A
 * command that outlasts the wait answers 504: repeat it with the same key to attach to it.
 */
export class InvoiceCommandDispatcher {
  constructor(private readonly options: InvoiceCommandDispatcherOptions) {}

  payInvoice(call: CommandCall & { invoiceId: string }): Promise<CommandReply> {
    return this.run({ ...call, etag: true }, 201, async (context) =>
      this.options.temporal.workflow.executeUpdateWithStart(payInvoiceUpdate, {
        args: [{ context }],
        updateId: context.commandId,
        startWorkflowOperation: this.processOf(call.invoiceId, call.organizationId),
      }),
    );
  }

  voidInvoice(call: CommandCall & { invoiceId: string; reason: string }): Promise<CommandReply> {
    return this.run(call, 200, async (context) =>
      this.options.temporal.workflow.executeUpdateWithStart(voidInvoiceUpdate, {
        args: [{ context, reason: call.reason }],
        updateId: context.commandId,
        startWorkflowOperation: this.processOf(call.invoiceId, call.organizationId),
      }),
    );
  }

  setPaymentMethod(call: CommandCall & { metadata: Metadata }): Promise<CommandReply> {
    return this.run(call, 200, async (context) => {
      const request = {
        kind: 'set-payment-method' as const,
        context,
        organizationId: call.organizationId,
        metadata: call.metadata,
      };
      const workflowId = organizationAccountCommandWorkflowId(context.commandId);
      try {
        const handle = await startWorkflow(this.options.temporal, ORGANIZATION_ACCOUNT_COMMAND_WORKFLOW, {
          workflowId,
          taskQueue: this.taskQueue,
          args: [request],
          memo: { [COMMAND_ORGANIZATION_MEMO]: call.organizationId },
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
        return await handle.result();
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        return workflowHandle(this.options.temporal, ORGANIZATION_ACCOUNT_COMMAND_WORKFLOW, workflowId).result();
      }
    });
  }

  private get taskQueue(): string {
    return this.options.taskQueue ?? TASK_QUEUES.commands;
  }

  /** The invoice's payment process, started again if it has ended (it then serves the update and ends). */
  private processOf(invoiceId: string, organizationId: string) {
    return new WithStartWorkflowOperation<InvoicePaymentWorkflow>(INVOICE_PAYMENT_WORKFLOW.name, {
      workflowId: invoicePaymentWorkflowId(invoiceId),
      taskQueue: this.taskQueue,
      args: [{ invoiceId, organizationId }],
      memo: { [COMMAND_ORGANIZATION_MEMO]: organizationId },
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  }

  private async run(
    call: CommandCall,
    successStatus: 200 | 201,
    execute: (context: CommandContext) => Promise<unknown>,
  ): Promise<CommandReply> {
    let context: CommandContext = { ...call.context, commandId: canonicalUuid(call.context.commandId) };
    const { organizationId, idempotency } = call;
    if (idempotency) {
      const claim = await claimIdempotencyKey(this.options.idempotencyDb, {
        organizationId,
        key: idempotency.key,
        requestHash: idempotency.requestHash,
        commandId: context.commandId,
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
        context = { ...context, commandId: claim.commandId };
      }
    }
    call.check?.();
    const settled = await this.settle(execute(context));
    const reply: CommandReply =
      settled.kind === 'succeeded'
        ? { status: successStatus, body: settled.body, headers: call.etag ? etagOf(settled.body) : {} }
        : {
            status: settled.problem.status,
            body: settled.problem,
            headers: { 'content-type': 'application/problem+json' },
          };
    if (idempotency && reply.status < 500) {
      await recordIdempotentResponse(
        this.options.idempotencyDb,
        { organizationId, key: idempotency.key, commandId: context.commandId },
        { status: reply.status, body: reply.body },
      );
    }
    return reply;
  }

  /** The command's answer within the wait, or why not: a refusal is a 4xx, anything else a 5xx without details. */
  private async settle(running: Promise<unknown>): Promise<Settled> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.resultTimeoutMs);
    });
    try {
      const settled = await Promise.race([
        running.then(
          (body): Settled => ({ kind: 'succeeded', body }),
          (error: unknown): Settled => {
            if (isTemporalUnavailable(error)) throw temporalUnavailable(error, 'commands');
            const problem = rejectionOf(error);
            if (problem) return { kind: 'refused', problem };
            throw error;
          },
        ),
        timedOut,
      ]);
      if (settled === 'timeout') {
        throw new ApplicationError('TIMEOUT', 'the command is still running: repeat the request to get its answer');
      }
      return settled;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The stream version a command answered, as an ETag (a pay answers the payment's, as POST /payments does). */
function etagOf(body: unknown): Record<string, string> {
  const version = (body as { version?: unknown } | null)?.version;
  return typeof version === 'number' ? { etag: `"${version}"` } : {};
}

/** The problem of a command the domain (or the process) refused: an update or a workflow that failed with a rejection. */
function rejectionOf(error: unknown): Problem | undefined {
  const cause =
    error instanceof WorkflowUpdateFailedError || error instanceof WorkflowFailedError ? error.cause : undefined;
  if (!(cause instanceof ApplicationFailure)) return undefined;
  const type = cause.type ?? '';
  if (!(COMMAND_REJECTIONS as readonly string[]).includes(type)) return undefined;
  const details = (cause.details?.[0] ?? { errors: [] }) as CommandRejectionDetails;
  return problemOf(type as CommandRejectionCode, cause.message, details.errors);
}
