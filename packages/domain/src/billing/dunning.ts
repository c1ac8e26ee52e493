import { addDuration, storedDuration } from './duration';
import { formatInstant, storedInstantToMs } from './instant';

/**
 * What follows a declined invoice payment: another attempt after the next wait of the plan's
 * dunning list, or none (the invoice becomes uncollectible and the organization is suspended).
 */
export type DunningStep = { kind: 'retry'; wait: string; nextAttemptAt: string } | { kind: 'give_up' };

/**
 * The step after the `declinedAttempts`-th declined attempt (counting from 1) at `now`. With waits
 * [w1, w2, w3]: the 1st decline retries after w1, the 2nd after w2, the 3rd after w3, and the 4th
 * (the last attempt) gives up. An empty list gives up at the first decline.
 */
export function dunningStepAfterDecline(waits: readonly string[], declinedAttempts: number, now: string): DunningStep {
  const wait = declinedAttempts >= 1 ? waits[declinedAttempts - 1] : undefined;
  if (wait === undefined) return { kind: 'give_up' };
  return {
    kind: 'retry',
    wait,
    nextAttemptAt: formatInstant(addDuration(storedInstantToMs(now), storedDuration(wait))),
  };
}

/** How many payment attempts a dunning list allows in all: the first one, then one after each wait. */
export function maxPaymentAttempts(waits: readonly string[]): number {
  return waits.length + 1;
}
