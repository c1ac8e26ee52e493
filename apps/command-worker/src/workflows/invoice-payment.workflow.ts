import {
  allHandlersFinished,
  ApplicationFailure,
  ChildWorkflowFailure,
  condition,
  executeChild,
  ParentClosePolicy,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import {
  COMMAND_REJECTIONS,
  commandWorkflowId,
  invoicePaymentStatusQuery,
  payInvoiceUpdate,
  PAYMENT_COMMAND_WORKFLOW,
  voidInvoiceUpdate,
  type CommandContext,
  type CommandRejectionCode,
  type InvoicePaymentInput,
  type InvoicePaymentOutcome,
  type PaymentCommandResult,
  type PaymentCommandWorkflow,
  type VoidInvoiceResult,
} from '@gyroscops/contracts/workflows';
import {
  decideInvoice,
  decideOrganizationAccount,
  foldInvoice,
  foldOrganizationAccount,
  foldPayment,
  formatAmount,
  isDomainError,
  outstandingMinor,
  parseInstantMs,
  type InvoiceCommand,
  type InvoiceEvent,
  type IssuedInvoiceState,
  type OrganizationAccountCommand,
} from '@gyroscops/domain';
import { rejectCommand, rejectWithDomainError } from './command-rejection';
import { invoicePaymentSteps as steps } from './invoice-payment-activity-stubs';
import { invoicePaymentCommandId, invoicePaymentId, invoiceStepCommandId } from './invoice-payment-ids';

/** Who the process's own appends name as their user. */
const PROCESS_USER = 'system:invoice-payment';
/** How often a payment that outlived this process's wait is looked for in the event store. */
const SETTLE_POLL = '2 seconds';
/** Memo key of a payment command workflow: its organization (GET /commands/{id} checks it). */
const COMMAND_ORGANIZATION_MEMO = 'organizationId';

/** Workflow time is deterministic: it is the time of the workflow task, replayed identically. */
const now = () => new Date().toISOString();

/**
 * A payment's outcome for the invoice. `failure` is set when no payment was made at all (the payment
 * command was refused or broke before its first event): the attempt is recorded as declined, and a
 * client who asked for it hears why.
 */
type Payment =
  | { result: PaymentCommandResult; outcome: { outcome: 'approved' } | { outcome: 'declined'; reason: string } }
  | { failure: ApplicationFailure; outcome: { outcome: 'declined'; reason: string } };

/**
 * One execution per invoice (invoicePaymentWorkflowId). Pays the invoice's outstanding amount: the
 * first attempt at once, then after each decline the next wait of the invoice's dunning list on a
 * durable timer. Each attempt is one payment with ids derived from (invoice, attempt), made by the
 * payment command workflow as a child, and recorded on the invoice stream before (InvoicePaymentStarted)
 * and after (InvoicePaid or InvoicePaymentFailed). After the last failed attempt the invoice is
 * uncollectible and the organization suspended; a paid invoice reinstates it when it was the last
 * one holding the suspension. `payInvoice` pays now, `voidInvoice` ends the process; both run
 * one at a time with the attempts (a lock over the invoice stream). An ended process is started
 * again by an update-with-start: it then only serves that update.
 * Changing what it records breaks the replay of running processes: see docs/workflow-versioning.md.
 */
export async function invoicePaymentWorkflow(input: InvoicePaymentInput): Promise<InvoicePaymentOutcome> {
  const { invoiceId, organizationId } = input;
  let invoice: IssuedInvoiceState | undefined;
  let position = '0';
  let locked = false;
  /** Bumped whenever a handler changed the invoice: wakes the dunning wait. */
  let changes = 0;

  const withLock = async <T>(step: () => Promise<T>): Promise<T> => {
    await condition(() => !locked);
    locked = true;
    try {
      return await step();
    } finally {
      locked = false;
    }
  };
  const loadedInvoice = async (): Promise<IssuedInvoiceState> => {
    await condition(() => invoice !== undefined);
    return invoice!;
  };
  const refusal = (state: IssuedInvoiceState | undefined): ApplicationFailure | undefined => {
    if (state?.status === 'paid') return rejectCommand('CONFLICT', `invoice ${invoiceId} is already paid`);
    if (state?.status === 'void') return rejectCommand('CONFLICT', `invoice ${invoiceId} is void`);
    return undefined;
  };

  /** Decides a command on the invoice and appends its events; a lost version race reloads and decides again. */
  async function record(command: InvoiceCommand, context: CommandContext): Promise<InvoiceEvent[]> {
    for (;;) {
      const current = await loadedInvoice();
      const decision = decideInvoice(current, command, now());
      if (isDomainError(decision)) throw rejectWithDomainError(decision);
      if (decision.length === 0) return [];
      const appended = await steps.appendInvoiceEvents({
        invoiceId,
        organizationId,
        expectedVersion: current.version,
        events: decision,
        context,
      });
      if (appended.appended) {
        invoice = foldInvoice(decision, current) as IssuedInvoiceState;
        position = appended.position;
        return decision;
      }
      await reload();
    }
  }

  async function reload(): Promise<void> {
    const stream = await steps.loadInvoiceStream({ invoiceId });
    const state = foldInvoice(stream.events);
    if (state.kind === 'absent') throw ApplicationFailure.nonRetryable(`invoice ${invoiceId} vanished`, 'INTERNAL');
    invoice = state;
    position = stream.lastPosition;
  }

  /** Decides a command on the organization's account and appends it, reloading after a lost race. */
  async function onAccount(command: OrganizationAccountCommand, context: CommandContext): Promise<void> {
    for (;;) {
      const stream = await steps.loadOrganizationAccount({ organizationId });
      const state = foldOrganizationAccount(stream.events);
      const decision = decideOrganizationAccount(state, command, now());
      if (isDomainError(decision)) throw rejectWithDomainError(decision);
      if (decision.length === 0) return;
      const appended = await steps.appendOrganizationAccountEvents({
        organizationId,
        expectedVersion: stream.version,
        events: decision,
        context,
      });
      if (appended.appended) return;
    }
  }

  const processContext = (step: string): CommandContext => ({
    commandId: invoiceStepCommandId(invoiceId, step),
    correlationId: invoiceId,
    causationId: workflowInfo().workflowId,
    userId: PROCESS_USER,
  });

  /** One attempt: start a payment of the outstanding amount, await it, record its outcome. */
  async function attempt(client?: CommandContext): Promise<Payment> {
    const current = await loadedInvoice();
    const number = current.attempts + 1;
    const paymentId = invoicePaymentId(invoiceId, number);
    const context: CommandContext = {
      commandId: invoicePaymentCommandId(invoiceId, number),
      correlationId: client?.correlationId ?? invoiceId,
      causationId: client?.commandId ?? workflowInfo().workflowId,
      userId: client?.userId ?? PROCESS_USER,
    };
    const account = foldOrganizationAccount((await steps.loadOrganizationAccount({ organizationId })).events);
    const started = await record({ type: 'StartInvoicePayment', data: { invoiceId, paymentId } }, context);
    const event = started.find((e) => e.type === 'InvoicePaymentStarted');
    if (event?.type !== 'InvoicePaymentStarted')
      throw ApplicationFailure.nonRetryable(`payment ${paymentId} of invoice ${invoiceId} was not started`, 'INTERNAL');
    const payment = await pay(paymentId, context, {
      amount: event.data.amount,
      currency: current.currency,
      description: `Invoice ${current.number}`,
      metadata: account.paymentMethod,
    });
    await settle(paymentId, payment, context);
    return payment;
  }

  /** Records a payment's outcome, then what it means for the organization's standing. */
  async function settle(paymentId: string, payment: Payment, context: CommandContext): Promise<void> {
    await record({ type: 'RecordInvoicePaymentResult', data: { invoiceId, paymentId, ...payment.outcome } }, context);
    if (invoice?.status === 'paid') {
      await onAccount(
        { type: 'ReinstateOrganization', data: { organizationId, invoiceId } },
        processContext('reinstate'),
      );
    }
  }

  /**
   * Makes the payment through the payment command workflow (a child: its id derives from the
   * attempt's command id, so it runs once), then reads the outcome from the payment's stream. A
   * child that cannot start again (it ran before this execution, which was then restarted) or that
   * was refused leaves the payment stream to tell what happened.
   */
  async function pay(
    paymentId: string,
    context: CommandContext,
    details: { amount: string; currency: string; description: string; metadata: Record<string, string> },
  ): Promise<Payment> {
    let failure: ApplicationFailure | undefined;
    try {
      await executeChild<PaymentCommandWorkflow>(PAYMENT_COMMAND_WORKFLOW.name, {
        workflowId: commandWorkflowId(context.commandId),
        taskQueue: workflowInfo().taskQueue,
        args: [
          {
            kind: 'create',
            context: { ...context, allowedOrganizations: [organizationId] },
            payment: { paymentId, organizationId, ...details, invoiceId },
          },
        ],
        memo: { [COMMAND_ORGANIZATION_MEMO]: organizationId },
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        // Money may be moving: the payment finishes (and is recorded) whatever happens to this process.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
    } catch (error) {
      if (error instanceof ChildWorkflowFailure) {
        const cause = error.cause;
        const type = cause instanceof ApplicationFailure ? (cause.type ?? '') : '';
        failure = (COMMAND_REJECTIONS as readonly string[]).includes(type)
          ? rejectCommand(type as CommandRejectionCode, cause?.message ?? error.message)
          : ApplicationFailure.nonRetryable(`payment ${paymentId} was not made: ${error.message}`, 'INTERNAL');
      } else if (!isAlreadyStarted(error)) {
        throw error;
      }
    }
    return outcomeOf(paymentId, context, failure);
  }

  /**
   * The settled payment as its stream holds it; waits while it is still being charged. A payment
   * command that ended without a payment stream made no payment: no money moved.
   */
  async function outcomeOf(paymentId: string, context: CommandContext, failure?: ApplicationFailure): Promise<Payment> {
    for (;;) {
      const stream = await steps.loadPaymentStream({ paymentId });
      const payment = foldPayment(stream.events);
      if (payment.kind === 'absent') {
        if (failure) return { failure, outcome: { outcome: 'declined', reason: 'payment_not_made' } };
      } else if (payment.status !== 'pending') {
        const result: PaymentCommandResult = {
          commandId: context.commandId,
          paymentId,
          status: payment.status,
          version: payment.version,
          position: stream.lastPosition,
        };
        return payment.status === 'failed'
          ? { result, outcome: { outcome: 'declined', reason: payment.failureReason ?? 'declined' } }
          : { result, outcome: { outcome: 'approved' } };
      }
      await sleep(SETTLE_POLL);
    }
  }

  /** A payment under way when the process (re)started: its outcome is awaited and recorded. */
  async function settleInFlight(): Promise<void> {
    const current = await loadedInvoice();
    if (current.paymentInFlight === null) return;
    const context: CommandContext = {
      ...processContext('resume'),
      commandId: invoicePaymentCommandId(invoiceId, current.attempts),
    };
    const payment = await pay(current.paymentInFlight, context, {
      amount: formatAmount(outstandingMinor(current), current.currency),
      currency: current.currency,
      description: `Invoice ${current.number}`,
      metadata: foldOrganizationAccount((await steps.loadOrganizationAccount({ organizationId })).events).paymentMethod,
    });
    await settle(current.paymentInFlight, payment, context);
  }

  setHandler(invoicePaymentStatusQuery, () => ({
    invoiceId,
    status: invoice?.status ?? 'loading',
    attempts: invoice?.attempts ?? 0,
    nextAttemptAt: invoice?.nextAttemptAt ?? null,
    paymentInFlight: invoice?.paymentInFlight ?? null,
  }));

  setHandler(
    payInvoiceUpdate,
    ({ context }) =>
      withLock(async () => {
        const refused = refusal(await loadedInvoice());
        if (refused) throw refused;
        const payment = await attempt(context);
        changes += 1;
        if ('failure' in payment) throw payment.failure;
        return payment.result;
      }),
    {
      validator: (_request) => {
        const refused = refusal(invoice);
        if (refused) throw refused;
      },
    },
  );

  setHandler(
    voidInvoiceUpdate,
    ({ context, reason }) =>
      withLock(async (): Promise<VoidInvoiceResult> => {
        const before = await loadedInvoice();
        const refused = refusal(before);
        if (refused) throw refused;
        await record({ type: 'VoidInvoice', data: { invoiceId, reason } }, context);
        // A voided invoice no longer holds a suspension it caused.
        if (before.status === 'uncollectible')
          await onAccount(
            { type: 'ReinstateOrganization', data: { organizationId, invoiceId } },
            processContext('void'),
          );
        changes += 1;
        return { commandId: context.commandId, invoiceId, status: 'void', version: invoice!.version, position };
      }),
    {
      validator: (_request) => {
        const refused = refusal(invoice);
        if (refused) throw refused;
      },
    },
  );

  const stream = await steps.loadInvoiceStream({ invoiceId });
  const loaded = foldInvoice(stream.events);
  if (loaded.kind === 'absent' || loaded.organizationId !== organizationId) {
    throw rejectCommand('NOT_FOUND', `invoice ${invoiceId} not found`);
  }
  invoice = loaded;
  position = stream.lastPosition;

  await withLock(settleInFlight);
  for (;;) {
    const current = invoice;
    if (current.status === 'paid' || current.status === 'void') break;
    if (current.status === 'uncollectible') {
      // The organization is suspended for it (again, after a restart: the domain decides nothing then).
      await withLock(async () => {
        if (invoice?.status !== 'uncollectible') return;
        await onAccount(
          { type: 'SuspendOrganization', data: { organizationId, invoiceId } },
          processContext('suspend'),
        );
      });
      break;
    }
    const waitMs = msUntilNextAttempt(current);
    if (waitMs <= 0) {
      await withLock(async () => {
        // A handler may have paid, voided or declined meanwhile (a declined pay moves the schedule).
        const latest = invoice!;
        if (latest.status === 'paid' || latest.status === 'void' || latest.status === 'uncollectible') return;
        if (msUntilNextAttempt(latest) > 0) return;
        await attempt();
      });
      continue;
    }
    const seen = changes;
    await condition(() => changes !== seen, waitMs);
  }
  await condition(allHandlersFinished);
  const final = invoice;
  return {
    invoiceId,
    status: final.status === 'paid' || final.status === 'void' ? final.status : 'uncollectible',
    attempts: final.attempts,
  };
}

/** The child's id is taken (WorkflowExecutionAlreadyStartedError, which the workflow package does not export). */
const isAlreadyStarted = (error: unknown): boolean =>
  error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError';

/** 0 when an attempt is due: the first one at once, a dunning retry at its nextAttemptAt. */
function msUntilNextAttempt(invoice: IssuedInvoiceState): number {
  if (invoice.attempts === 0 || invoice.nextAttemptAt === null) return 0;
  const at = parseInstantMs(invoice.nextAttemptAt);
  return at === undefined ? 0 : Math.max(0, at - Date.now());
}
