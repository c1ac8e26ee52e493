import { isTemporalUnavailable, temporalUnavailable } from '@gyroscops/platform';

/**
 * What a Temporal client error becomes in the query-api: a 503 with Retry-After when Temporal did not
 * answer (down, unreachable, overloaded: the same call may succeed later), the error itself otherwise
 * (an answer such as "not found" is the caller's to map; anything unexpected stays a 500 with its
 * details in the logs). `what` names what is unavailable, e.g. "reports".
 */
export function temporalFailure(error: unknown, what: string): unknown {
  return isTemporalUnavailable(error) ? temporalUnavailable(error, what) : error;
}
