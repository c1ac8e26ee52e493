import { ApplicationFailure } from '@temporalio/workflow';
import type { CommandRejectionCode, CommandRejectionDetails } from '@gyroscops/contracts/workflows';
import type { DomainError } from '@gyroscops/domain';

/**
 * A refused command ends its workflow with a non-retryable ApplicationFailure whose type is the
 * rejection code: the command-api maps it to a status; a plain Error would retry the task forever.
 */
export function rejectCommand(
  code: CommandRejectionCode,
  message: string,
  errors: CommandRejectionDetails['errors'] = [],
): ApplicationFailure {
  const details: CommandRejectionDetails = { errors };
  return ApplicationFailure.create({ type: code, message, nonRetryable: true, details: [details] });
}

export function rejectWithDomainError(error: DomainError): ApplicationFailure {
  return rejectCommand(error.code, error.message, error.errors);
}
