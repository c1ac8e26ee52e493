import { isGrpcDeadlineError, isGrpcServiceError, ServiceError } from '@temporalio/client';
import { ApplicationError } from '../http/application-error';

/** How long a client should wait before trying again while Temporal does not answer. */
export const TEMPORAL_RETRY_AFTER_SECONDS = 5;

/**
 * gRPC codes that say Temporal did not answer (down, unreachable, overloaded, too slow) rather than
 * answered no: the same call may succeed later. (Numeric gRPC status codes, which are part of the
 * gRPC protocol: @grpc/grpc-js is the Temporal client's dependency, not ours.)
 */
const UNAVAILABLE_CODES: ReadonlySet<number> = new Set([
  4, // DEADLINE_EXCEEDED
  8, // RESOURCE_EXHAUSTED
  14, // UNAVAILABLE
]);

/**
 * Whether a Temporal client call failed because Temporal could not be reached. The client wraps the
 * gRPC error in a ServiceError (after its own retries), or throws it bare on some calls.
 */
export function isTemporalUnavailable(error: unknown): boolean {
  const grpcError = error instanceof ServiceError ? error.cause : error;
  if (isGrpcServiceError(grpcError)) return UNAVAILABLE_CODES.has(grpcError.code);
  return isGrpcDeadlineError(grpcError);
}

/**
 * The answer while Temporal does not answer: a 503 the client may retry after a moment, not a 500
 * (which would claim a bug here). `what` names what is unavailable, e.g. "commands" or "reports".
 */
export function temporalUnavailable(error: unknown, what: string): ApplicationError {
  return new ApplicationError(
    'UNAVAILABLE',
    `${what} are unavailable: Temporal did not answer (${error instanceof Error ? error.name : 'error'})`,
    [],
    { 'retry-after': String(TEMPORAL_RETRY_AFTER_SECONDS) },
  );
}
