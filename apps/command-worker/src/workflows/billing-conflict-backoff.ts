import { ApplicationFailure, sleep } from '@temporalio/workflow';
import type { RetryableCommandFailureCode } from '@gyroscops/contracts/workflows';

/**
 * How often a billing command decides again after losing a race on the organization's stream (a
 * concurrent usage batch, a cycle's close, a record id claimed meanwhile) before it gives up.
 */
export const MAX_CONFLICT_RETRIES = 12;

/** The longest wait between two tries (the waits grow from a few milliseconds to this). */
const MAX_BACKOFF_MS = 1_000;

/**
 * Waits before try `attempt` (0: the first, no wait): a random time up to an exponentially growing
 * ceiling (full jitter), so a crowd of batches on one stream spreads out instead of colliding again
 * in step. A workflow timer: durable and replayed; Math.random is seeded by Temporal in workflow code.
 */
export async function backOffBeforeRetry(attempt: number): Promise<void> {
  if (attempt <= 1) return;
  const ceiling = Math.min(MAX_BACKOFF_MS, 10 * 2 ** attempt);
  await sleep(1 + Math.floor(Math.random() * ceiling));
}

/**
 * The failure of a command that kept losing races: nothing was stored, and repeating the request
 * as it is may succeed (503 with Retry-After at the edge, never an Idempotency-Key's final answer).
 */
export function keptLosingRaces(message: string): ApplicationFailure {
  const type: RetryableCommandFailureCode = 'CONFLICT_RETRYABLE';
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: [{ errors: [] }] });
}
