import { condition, continueAsNew, log, ParentClosePolicy, setHandler, sleep, startChild } from '@temporalio/workflow';
import {
  billingCycleClosedSignal,
  billingProcessStatusQuery,
  INVOICE_PAYMENT_WORKFLOW,
  invoicePaymentWorkflowId,
  type BillingProcessInput,
  type BillingProcessStatus,
  type BillingProcessWorkflow,
  type CommandContext,
  type InvoicePaymentWorkflow,
} from '@gyroscops/contracts/workflows';
import { billingSteps } from './billing-command-activity-stubs';
import { isAlreadyStarted } from './billing-child-start';
import { closeBillingCycle } from './billing-cycle-close';

/** After a failed step (a database down longer than the activities' retries), the process tries again this much later. */
const RETRY_AFTER_FAILURE = '30 seconds';

/** The context of the process's own commands: the close's derived id is its command, correlation and cause. */
const processContext = (commandId: string): CommandContext => ({
  commandId,
  correlationId: commandId,
  causationId: commandId,
  userId: 'system:billing-process',
});

/**
 * Starts an invoice's payment process, once: a child abandoned at once (it outlives this run, which
 * continues as new right after), recorded in this run's history so a replay never starts it again,
 * and REJECT_DUPLICATE so a later run of this process (after a restart, a retried settle) cannot
 * start a second payment process for the invoice even after the first one has finished.
 */
async function startInvoicePayment(organizationId: string, invoiceId: string): Promise<void> {
  try {
    await startChild<InvoicePaymentWorkflow>(INVOICE_PAYMENT_WORKFLOW.name, {
      workflowId: invoicePaymentWorkflowId(invoiceId),
      args: [{ invoiceId, organizationId }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (error) {
    if (!isAlreadyStarted(error)) throw error;
  }
}

/**
 * An organization's billing process (one per organization, `billing-process-<organizationId>`).
 * Each run:
 *
 * 1. reads from the event store which cycles closed since `settledThrough` (by its timer in an
 *    earlier run, by an admin's close, or while no worker ran) and settles each in order: its
 *    invoice issued (a no-op when it is) and its payment process started (once per invoice);
 * 2. sleeps on a durable timer until the current cycle's end, or until an admin's close signals;
 * 3. at the end, closes that cycle (pinned by its sequence, so it is never closed twice, and a
 *    cycle is only ever closed after the one before it), issues its invoice, starts its payment;
 * 4. continues as new for the next cycle, whose end the close decided (a plan change applies there).
 *
 * A worker down for several cycles finds them due one after another: each run closes one, at its
 * scheduled end, so none is skipped. The history stays small: one cycle per run.
 */
export async function billingProcessWorkflow(input: BillingProcessInput): Promise<void> {
  const { organizationId } = input;
  let settledThrough = input.settledThrough ?? 0;
  let currentCycle: BillingProcessStatus['currentCycle'] = null;
  let closedElsewhere = false;
  setHandler(billingCycleClosedSignal, () => {
    closedElsewhere = true;
  });
  setHandler(billingProcessStatusQuery, () => ({ organizationId, settledThrough, currentCycle }));

  try {
    const progress = await billingSteps.billingCycleProgress({ organizationId, settledThrough });
    if (progress.closedAfter.length > 0) {
      // Cycles closed since the last run: settled here; the next run reads the store again (more may be due).
      for (const closed of progress.closedAfter) {
        const issued = await billingSteps.issueCycleInvoice({
          organizationId,
          cycleSequence: closed.sequence,
          context: processContext(closed.closeCommandId),
        });
        if (issued.invoiceId !== null && !issued.paymentStarted)
          await startInvoicePayment(organizationId, issued.invoiceId);
        settledThrough = closed.sequence;
      }
    } else if (progress.cycle === null) {
      // No plan was ever set: nothing to bill; the first plan starts a process.
      return;
    } else {
      const cycle = progress.cycle;
      currentCycle = { sequence: cycle.sequence, end: cycle.end };
      const dueInMs = Date.parse(cycle.end) - Date.now();
      if (dueInMs > 0) await condition(() => closedElsewhere, dueInMs);
      // An admin's close settles in the next run, which finds it in the store.
      if (!closedElsewhere) {
        const closed = await closeBillingCycle(organizationId, processContext(cycle.closeCommandId), cycle.sequence);
        if (closed.invoiceId !== null && !closed.paymentStarted)
          await startInvoicePayment(organizationId, closed.invoiceId);
        settledThrough = closed.cycleSequence;
      }
    }
  } catch (error) {
    // The process must outlive any one failure: billing stops if it ends. It tries again later.
    log.error('billing process step failed; retrying', { organizationId, error: String(error) });
    await sleep(RETRY_AFTER_FAILURE);
  }
  await continueAsNew<BillingProcessWorkflow>({ organizationId, settledThrough });
}
