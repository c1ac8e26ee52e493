import { proxyLocalActivities } from '@temporalio/workflow';
import type { CommandActivities } from '../activities/create-command-activities';

/**
 * The steps of one command: load, append, charge or refund, and the append that records the
 * gateway's answer.
 */
export type CommandSteps = Pick<
  CommandActivities,
  'loadPaymentStream' | 'appendPaymentEvents' | 'chargePayment' | 'refundPayment' | 'findCharge' | 'findRefund'
> & {
  recordChargeOutcome: CommandActivities['appendPaymentEvents'];
  recordRefundOutcome: CommandActivities['appendPaymentEvents'];
};

const LOAD_RETRY = {
  initialInterval: '100 ms',
  backoffCoefficient: 2,
  maximumInterval: '2 seconds',
  maximumAttempts: 10,
} as const;
/**
 * Appends before any money moved: bounded retries, so a command against a broken database fails
 * in about a minute instead of hanging. Retrying is safe: event ids make a repeated append a no-op.
 */
const APPEND_RETRY = {
  initialInterval: '100 ms',
  backoffCoefficient: 2,
  maximumInterval: '5 seconds',
  maximumAttempts: 15,
} as const;
/**
 * The append that records a charge's (or a refund's) outcome must never give up: the money moved (or did not)
 * and the event store has to say so. Retries are unbounded, backing off to 30 s.
 */
const RECORD_RETRY = { initialInterval: '100 ms', backoffCoefficient: 2, maximumInterval: '30 seconds' } as const;
/**
 * The gateway call: transient failures are retried quickly (the simulated gateway's "flaky" mode
 * fails twice); the gateway is idempotent per payment, so a retry never charges twice.
 */
const CHARGE_RETRY = {
  initialInterval: '200 ms',
  backoffCoefficient: 2,
  maximumInterval: '5 seconds',
  maximumAttempts: 8,
} as const;

/** A refund is retried like a charge: the gateway is idempotent per refund, so a retry never refunds twice. */
const REFUND_RETRY = CHARGE_RETRY;

/**
 * A lookup of what the gateway did under an idempotency key, after the call itself exhausted its
 * retries. A few quick tries here; past them the workflow waits on a durable timer with backoff and
 * asks again (see settle-gateway-outcome), for as long as the gateway takes to answer.
 */
const LOOKUP_RETRY = {
  initialInterval: '500 ms',
  backoffCoefficient: 2,
  maximumInterval: '5 seconds',
  maximumAttempts: 3,
} as const;

/**
 * The steps as local activities: they run in the worker that runs the workflow task, inside that
 * task, so a whole command is ONE workflow task (plus a marker per step) instead of four workflow
 * tasks and three activity tasks, each a round trip through the server's matching and persistence.
 *
 * Why that is safe here: every step is idempotent (appends by event id, charges by the gateway's
 * idempotency key per payment), and a local activity is re-run if its workflow task is lost before
 * it completes. Retries up to `localRetryThreshold` (1 minute) back off inside the worker; longer
 * backoffs (only the outcome append's, past a minute of failures) become durable timers. Steps that
 * outlast the workflow task timeout are fine: the worker heartbeats the task while they run.
 */
export const commandSteps: CommandSteps = {
  loadPaymentStream: proxyLocalActivities<CommandActivities>({ startToCloseTimeout: '10 seconds', retry: LOAD_RETRY })
    .loadPaymentStream,
  appendPaymentEvents: proxyLocalActivities<CommandActivities>({
    startToCloseTimeout: '10 seconds',
    retry: APPEND_RETRY,
  }).appendPaymentEvents,
  recordChargeOutcome: proxyLocalActivities<CommandActivities>({
    startToCloseTimeout: '10 seconds',
    retry: RECORD_RETRY,
  }).appendPaymentEvents,
  chargePayment: proxyLocalActivities<CommandActivities>({ startToCloseTimeout: '30 seconds', retry: CHARGE_RETRY })
    .chargePayment,
  refundPayment: proxyLocalActivities<CommandActivities>({ startToCloseTimeout: '30 seconds', retry: REFUND_RETRY })
    .refundPayment,
  findCharge: proxyLocalActivities<CommandActivities>({ startToCloseTimeout: '30 seconds', retry: LOOKUP_RETRY })
    .findCharge,
  findRefund: proxyLocalActivities<CommandActivities>({ startToCloseTimeout: '30 seconds', retry: LOOKUP_RETRY })
    .findRefund,
  recordRefundOutcome: proxyLocalActivities<CommandActivities>({
    startToCloseTimeout: '10 seconds',
    retry: RECORD_RETRY,
  }).appendPaymentEvents,
};
