import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import {
  COMMAND_REJECTIONS,
  type CommandRejectionCode,
  type CommandRejectionDetails,
  type PaymentCommandResult,
} from '@gyroscops/contracts';
import { HTTP_STATUS_BY_CODE, problemOf, type Problem } from '@gyroscops/platform';

export type CommandOutcome =
  | { kind: 'succeeded'; result: PaymentCommandResult }
  | { kind: 'rejected'; problem: Problem }
  | { kind: 'broken'; problem: Problem };

function isRejection(type: string | undefined | null): type is CommandRejectionCode {
  return (COMMAND_REJECTIONS as readonly string[]).includes(type ?? '');
}

/**
 * What a command workflow's failure means for the client: a rejection the domain (or a version
 * check) decided is a 4xx with the workflow's message; anything else is a 5xx without details.
 */
export function outcomeOfFailure(error: unknown): CommandOutcome {
  const cause = error instanceof WorkflowFailedError ? error.cause : undefined;
  if (cause instanceof ApplicationFailure && isRejection(cause.type)) {
    const details = (cause.details?.[0] ?? { errors: [] }) as CommandRejectionDetails;
    return { kind: 'rejected', problem: problemOf(cause.type, cause.message, details.errors) };
  }
  return { kind: 'broken', problem: problemOf('INTERNAL') };
}

export function statusOfProblem(problem: Problem): number {
  return problem.status ?? HTTP_STATUS_BY_CODE.INTERNAL;
}
