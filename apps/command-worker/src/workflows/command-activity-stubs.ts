import { proxyActivities } from '@temporalio/workflow';
import type { CommandActivities } from '../activities/create-command-activities';

/** Event-store reads: quick, and safe to retry. */
export const { loadPaymentStream } = proxyActivities<CommandActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '100 ms', backoffCoefficient: 2, maximumInterval: '2 seconds', maximumAttempts: 10 },
});

/**
 * Appends before any money moved: bounded retries, so a command against a broken database fails
 * in about a minute instead of hanging. Retrying is safe: event ids make a repeated append a no-op.
 */
export const { appendPaymentEvents } = proxyActivities<CommandActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '100 ms', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 15 },
});

/**
 * The append that records a charge's outcome must never give up: the money moved (or did not)
 * and the event store has to say so. Retries are unbounded, backing off to 30 s.
 */
export const { appendPaymentEvents: recordChargeOutcome } = proxyActivities<CommandActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '100 ms', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/**
 * The gateway call: transient failures are retried quickly (the simulated gateway's "flaky" mode
 * fails twice); the gateway is idempotent per payment, so a retry never charges twice.
 */
export const { chargePayment } = proxyActivities<CommandActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 ms', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 8 },
});
