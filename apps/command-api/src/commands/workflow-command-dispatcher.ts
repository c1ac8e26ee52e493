import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { commandResultUpdate, commandResultUpdateId, type WorkflowDefinition } from '@gyroscops/contracts/workflows';
import { claimIdempotencyKey, recordIdempotentResponse, type IdempotencyDb } from '@gyroscops/idempotency';
import {
  ApplicationError,
  executeUpdateWithStart,
  isTemporalUnavailable,
  startWorkflow,
  temporalUnavailable,
  workflowHandle,
} from '@gyroscops/platform';
import { CONFLICT_RETRY_AFTER_SECONDS, outcomeOfFailure, type CommandOutcome } from './command-outcome';

/** An HTTP answer, ready to send. */
export interface CommandReply {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** Memo key of a command workflow: the organization of what it acts on. */
export const COMMAND_ORGANIZATION_MEMO = 'organizationId';

const commandLocation = (commandId: string) => `/commands/${commandId}`;

/** One command (payment or billing) as its workflow runs it. */
export interface WorkflowCommand<Command, Result> {
  workflow: WorkflowDefinition<string, (command: Command) => Promise<Result>>;
  /** The workflow id of a command id: one execution per command. */
  workflowIdOf: (commandId: string) => string;
  command: Command;
  commandId: string;
  /** The same command under the command id an earlier request claimed with its Idempotency-Key. */
  withCommandId: (command: Command, commandId: string) => Command;
  /**
   * Whether a repeat of a command whose execution failed runs it again ('ALLOW_DUPLICATE_FAILED_ONLY',
   * for commands any repeat of which changes nothing twice) or reads that failure again
   * ('REJECT_DUPLICATE'). A command's decided answer is stored with its Idempotency-Key and replayed
   * without reaching Temporal; only a failure that was no answer (it lost every race, it broke) is
   * repeated by a client.
   */
  rerunAfterFailure: boolean;
  /** Organization that scopes the idempotency key and that `GET /commands/{id}` checks. */
  organizationId: string;
  idempotency?: { key: string; requestHash: string };
  /** `Prefer: respond-async`: answer 202 at once. */
  respondAsync: boolean;
  /** Past the wait: 202 with the command's location to follow, or a 504 to repeat the request. */
  whenStillRunning: 'accepted' | 'timeout';
  successStatus: number;
  /** The answer's body from the workflow's result. */
  bodyOf: (result: Result) => unknown;
  /** Headers of a success (first answer or a replay of the stored one), e.g. an ETag. */
  successHeaders: (status: number, body: unknown) => Record<string, string>;
}

export interface WorkflowCommandDispatcherOptions {
  temporal: Client;
  idempotencyDb: IdempotencyDb;
  resultTimeoutMs: number;
  idempotencyTtlMs: number;
  taskQueue: string;
}

type Waited<Result> = CommandOutcome<Result> | { kind: 'still-running' };

/**
 * Runs a command as its workflow and turns the outcome into an HTTP answer, for every kind of
 * command. With an idempotency key, the key is claimed first: a repeat of the same request attaches
 * to the same workflow execution (or replays the stored answer), a different request with the key is
 * refused with 409.
 *
 * The command is started and its answer awaited in one Temporal call (Update-with-Start: the
 * `commandResult` update every command workflow answers). A repeat of a running command attaches to
 * its execution and waits on the same answer; a repeat of a finished one reads the result from the
 * execution's close event. While Temporal does not answer, or when the command lost
 * every optimistic-concurrency race, the answer is 503 + Retry-After and is not stored as the key's
 * answer: repeating the request is safe.
 */
export class WorkflowCommandDispatcher {
  constructor(private readonly options: WorkflowCommandDispatcherOptions) {}

  async dispatch<Command, Result>(request: WorkflowCommand<Command, Result>): Promise<CommandReply> {
    let { command, commandId } = request;
    if (request.idempotency) {
      const claim = await claimIdempotencyKey(this.options.idempotencyDb, {
        organizationId: request.organizationId,
        key: request.idempotency.key,
        requestHash: request.idempotency.requestHash,
        commandId,
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
            headers: {
              ...this.headersOf(request, claim.response.status, claim.response.body),
              'idempotent-replayed': 'true',
            },
          };
        }
        commandId = claim.commandId;
        command = request.withCommandId(command, commandId);
      }
    }
    const call = { ...request, command, commandId };
    const reply = request.respondAsync
      ? await this.startOnly(call)
      : await this.run(call, commandResultUpdateId(request.workflowIdOf(commandId), request.commandId));
    if (request.idempotency && reply.final) {
      await recordIdempotentResponse(
        this.options.idempotencyDb,
        { organizationId: request.organizationId, key: request.idempotency.key, commandId },
        { status: reply.status, body: reply.body },
      );
    }
    return { status: reply.status, body: reply.body, headers: reply.headers };
  }

  /** `Prefer: respond-async`: start (or attach), answer 202 with the place to follow the command. */
  private async startOnly<Command, Result>(
    request: WorkflowCommand<Command, Result>,
  ): Promise<CommandReply & { final: boolean }> {
    try {
      await startWorkflow(this.options.temporal, request.workflow, this.startOptions(request));
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw this.unavailableOr(error);
    }
    return { ...this.accepted(request.commandId), final: true };
  }

  /** Starts (or attaches) and waits for the answer, at most `resultTimeoutMs`. */
  private async run<Command, Result>(
    request: WorkflowCommand<Command, Result>,
    updateId: string,
  ): Promise<CommandReply & { final: boolean }> {
    const waited = await this.waitFor(request, updateId);
    switch (waited.kind) {
      case 'still-running':
        if (request.whenStillRunning === 'timeout') {
          throw new ApplicationError('TIMEOUT', 'the command is still running: repeat the request to get its answer');
        }
        // Not final: a repeat of the request waits again for the answer.
        return { ...this.accepted(request.commandId), final: false };
      case 'succeeded': {
        const body = request.bodyOf(waited.result);
        return {
          status: request.successStatus,
          body,
          headers: request.successHeaders(request.successStatus, body),
          final: true,
        };
      }
      case 'retryable':
        throw new ApplicationError('UNAVAILABLE', waited.problem.detail ?? 'the command may be repeated', [], {
          'retry-after': String(CONFLICT_RETRY_AFTER_SECONDS),
        });
      case 'rejected':
      case 'broken':
        return {
          status: waited.problem.status,
          body: waited.problem,
          headers: { 'content-type': 'application/problem+json' },
          // A broken command (5xx) may be repeated: only a decision is the key's answer.
          final: waited.kind === 'rejected',
        };
    }
  }

  private async waitFor<Command, Result>(
    request: WorkflowCommand<Command, Result>,
    updateId: string,
  ): Promise<Waited<Result>> {
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const stillRunning = new Promise<Waited<Result>>((resolve) => {
      timer = setTimeout(() => {
        resolve({ kind: 'still-running' });
        // Stops the long poll this request no longer waits for.
        abort.abort();
      }, this.options.resultTimeoutMs);
    });
    const answer = this.options.temporal
      .withAbortSignal(abort.signal, () => this.answerOf(request, updateId))
      .catch((error: unknown): Waited<Result> => {
        if (abort.signal.aborted) return { kind: 'still-running' };
        throw this.unavailableOr(error);
      });
    try {
      return await Promise.race([answer, stillRunning]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The command's outcome from the `commandResult` update sent with the start. A command whose
   * execution already closed cannot take an update (nor be started again: its id is never reused),
   * so its outcome comes from the execution's close event.
   */
  private async answerOf<Command, Result>(
    request: WorkflowCommand<Command, Result>,
    updateId: string,
  ): Promise<CommandOutcome<Result>> {
    const workflowId = request.workflowIdOf(request.commandId);
    try {
      const result = (await executeUpdateWithStart(this.options.temporal, request.workflow, commandResultUpdate, {
        updateId,
        start: this.startOptions(request),
      })) as Result;
      return { kind: 'succeeded', result };
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) return outcomeOfFailure(error);
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    try {
      const result = await workflowHandle(this.options.temporal, request.workflow, workflowId).result();
      return { kind: 'succeeded', result };
    } catch (error) {
      if (error instanceof WorkflowFailedError) return outcomeOfFailure(error);
      throw error;
    }
  }

  private startOptions<Command, Result>(request: WorkflowCommand<Command, Result>) {
    return {
      workflowId: request.workflowIdOf(request.commandId),
      taskQueue: this.options.taskQueue,
      args: [request.command] as [Command],
      memo: { [COMMAND_ORGANIZATION_MEMO]: request.organizationId },
      workflowIdConflictPolicy: 'USE_EXISTING' as const,
      workflowIdReusePolicy: request.rerunAfterFailure
        ? ('ALLOW_DUPLICATE_FAILED_ONLY' as const)
        : ('REJECT_DUPLICATE' as const),
    };
  }

  /** The command may have run or may still run: the client retries (same Idempotency-Key) or follows it. */
  private unavailableOr(error: unknown): unknown {
    return isTemporalUnavailable(error) ? temporalUnavailable(error, 'commands') : error;
  }

  private accepted(commandId: string): CommandReply {
    return {
      status: 202,
      body: { commandId },
      headers: { location: commandLocation(commandId), 'preference-applied': 'respond-async' },
    };
  }

  private headersOf<Command, Result>(
    request: WorkflowCommand<Command, Result>,
    status: number,
    body: unknown,
  ): Record<string, string> {
    if (status >= 400) return { 'content-type': 'application/problem+json' };
    const commandId = (body as { commandId?: unknown } | null)?.commandId;
    if (status === 202 && status !== request.successStatus && typeof commandId === 'string') {
      return { location: commandLocation(commandId) };
    }
    return request.successHeaders(status, body);
  }
}
