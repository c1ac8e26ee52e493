import { ApplicationFailure, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { COMMAND_REJECTIONS, type CommandRejectionCode, type CommandRejectionDetails } from '@gyroscops/contracts';
import { HTTP_STATUS_BY_CODE, problemOf, type Problem } from '@gyroscops/platform';

export type CommandOutcome<Result> =
  | { kind: 'succeeded'; result: Result }
  | { kind: 'rejected'; problem: Problem }
  | { kind: 'broken'; problem: Problem }
  /** Nothing was recorded and the same request may succeed a moment later: never a final answer. */
  | { kind: 'retryable'; problem: Problem };

/**
 * The failure type of a command that kept losing optimistic-concurrency races: nothing was recorded
 * and the same request may succeed a moment later.
 */
export const CONFLICT_RETRYABLE = 'CONFLICT_RETRYABLE';
/** Seconds a client waits before repeating a command that lost its races. */
export const CONFLICT_RETRY_AFTER_SECONDS = 1;

function isRejection(type: string | undefined | null): type is CommandRejectionCode {
  return (COMMAND_REJECTIONS as readonly string[]).includes(type ?? '');
}

/** The failure a command workflow failed with, whether read from its close event or from the result update. */
function failureOf(error: unknown): unknown {
  if (error instanceof WorkflowFailedError || error instanceof WorkflowUpdateFailedError) return error.cause;
  return undefined;
}

/**
 * What a command workflow's failure means for the client: a rejection the domain (or a version
 * check) decided is a 4xx with the workflow's message; a command that kept losing races is a 503 to
 * repeat; anything else is a 5xx without details.
 */
export function outcomeOfFailure<Result>(error: unknown): CommandOutcome<Result> {
  const cause = failureOf(error);
  if (cause instanceof ApplicationFailure && isRejection(cause.type)) {
    const details = (cause.details?.[0] ?? { errors: [] }) as CommandRejectionDetails;
    return { kind: 'rejected', problem: problemOf(cause.type, cause.message, details.errors) };
  }
  if (cause instanceof ApplicationFailure && cause.type === CONFLICT_RETRYABLE) {
    return { kind: 'retryable', problem: problemOf('UNAVAILABLE', `${cause.message}: repeat the request`) };
  }
  return { kind: 'broken', problem: problemOf('INTERNAL') };
}

export function statusOfProblem(problem: Problem): number {
  return problem.status ?? HTTP_STATUS_BY_CODE.INTERNAL;
}
