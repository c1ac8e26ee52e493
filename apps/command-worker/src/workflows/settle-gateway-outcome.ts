import { CancelledFailure, sleep, TemporalFailure } from '@temporalio/workflow';

/** The first wait between lookups that the gateway did not answer, doubling up to the longest. */
const FIRST_WAIT = 1_000;
const LONGEST_WAIT = 5 * 60_000;

/**
 * What the gateway did under an idempotency key, asked until it answers. Used once a charge or refund
 * call exhausted its retries without an answer: the money may have moved, so the outcome is looked up
 * rather than guessed. Each `lookup` is a local activity with a few quick retries of its own; between
 * failed lookups the workflow waits on a durable timer (1 s, doubling, at most 5 minutes), so an
 * outage of the gateway costs timers, not a worker slot, and survives worker restarts.
 */
/**
 * True for the failure of a local activity that gave up (its retries exhausted, or its last attempt
 * timed out). Core records a local activity's failure as the activity's own failure (an
 * ApplicationFailure, or a TimeoutFailure), not wrapped in an ActivityFailure as a remote activity's
 * is, so both shapes count. A cancellation is not giving up: the workflow is being cancelled.
 */
export function isGivenUpActivity(error: unknown): boolean {
  return error instanceof TemporalFailure && !(error instanceof CancelledFailure);
}

export async function settleGatewayOutcome<T>(lookup: () => Promise<T>): Promise<T> {
  let wait = FIRST_WAIT;
  for (;;) {
    try {
      return await lookup();
    } catch (error) {
      if (!isGivenUpActivity(error)) throw error;
    }
    await sleep(wait);
    wait = Math.min(wait * 2, LONGEST_WAIT);
  }
}
