import { temporalUnavailable as unavailable, type ApplicationError } from '@gyroscops/platform';

/**
 * Any other error of the Temporal client in a report route means Temporal did not answer (down,
 * unreachable, overloaded): a 503 the client may retry, not a 500 (which would claim a bug here).
 */
export function temporalUnavailable(error: unknown): ApplicationError {
  return unavailable(error, 'reports');
}
