import { defineQuery, defineSignal } from '@temporalio/workflow';
import { defineWorkflow } from './workflow-definition';

/*
 * An organization's billing process: one long-running execution per organization, started when a
 * plan is set. It sleeps on a durable timer until the current cycle's end, closes the cycle
 * (BillingCycleClosed on the organization's stream), issues its invoice (InvoiceIssued on the
 * invoice's stream), starts the invoice's payment process and continues as new for the next cycle.
 * An admin's close is a billing command of its own (Idempotency-Key, its answer) that signals the
 * process once the cycle is closed; the process then settles that cycle the same way.
 */

export interface BillingProcessInput {
  organizationId: string;
  /**
   * Every cycle up to this sequence is settled: its invoice issued and its payment started. A new
   * process starts at 0 and finds out from the event store what is left to do.
   */
  settledThrough?: number;
}

/** What the process is doing, for operators and tests. */
export interface BillingProcessStatus {
  organizationId: string;
  settledThrough: number;
  /** The cycle the process waits on; null until it has read the organization's billing. */
  currentCycle: { sequence: number; end: string } | null;
}

export type BillingProcessWorkflow = (input: BillingProcessInput) => Promise<void>;
export const BILLING_PROCESS_WORKFLOW = defineWorkflow<BillingProcessWorkflow>()('billingProcessWorkflow');

/** One billing process per organization. */
export const billingProcessWorkflowId = (organizationId: string) => `billing-process-${organizationId}`;

/** A cycle of the organization was closed by someone else (an admin's close): settle it and wait on the next one. */
export const billingCycleClosedSignal = defineSignal<[{ cycleSequence: number }]>('billingCycleClosed');

export const billingProcessStatusQuery = defineQuery<BillingProcessStatus>('billingProcessStatus');
