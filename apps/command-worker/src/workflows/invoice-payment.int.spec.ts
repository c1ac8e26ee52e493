/**
 * The invoice payment process on a real Temporal, Postgres event store and simulated gateway:
 * dunning on second-long durable timers, suspension, a manual pay after the process ended
 * (update-with-start), void. How we know no payment is made or recorded twice: every payment
 * stream of this test's event store is counted (one per attempt, each named in the invoice's
 * paymentIds and carrying its invoiceId), the gateway's ledger holds one row per payment with one
 * capture, and the invoice and account streams are compared event by event.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection, WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import {
  commandWorkflowId,
  INVOICE_PAYMENT_WORKFLOW,
  INVOICE_STREAM_TYPE,
  invoicePaymentWorkflowId,
  invoiceStreamId,
  ORGANIZATION_ACCOUNT_COMMAND_WORKFLOW,
  organizationAccountCommandWorkflowId,
  organizationAccountStreamId,
  PAYMENT_COMMAND_WORKFLOW,
  payInvoiceUpdate,
  voidInvoiceUpdate,
  type CommandContext,
  type InvoicePaymentWorkflow,
} from '@gyroscops/contracts';
import { createTestEnvironment, waitFor, type TestEnvironment } from '@gyroscops/dev-infra';
import {
  decideInvoice,
  foldInvoice,
  isDomainError,
  type InvoiceEvent,
  type IssuedInvoiceState,
} from '@gyroscops/domain';
import { appendToStream, eventStoreMigrations, readStream, type EventStoreTables } from '@gyroscops/event-store';
import {
  createSimulatedGateway,
  SIMULATIONS,
  simulatedGatewayMigrations,
  type SimulatedGatewayTables,
} from '@gyroscops/payment-gateway';
import { createDatabase, runMigrations, startWorkflow, withTablesOf } from '@gyroscops/platform';
import { sql, type Kysely } from 'kysely';
import { createCommandWorker } from '../worker';
import { loadWorkflowBundle } from '../workflow-bundle';

let env: TestEnvironment;
let eventStore: Kysely<EventStoreTables>;
let gatewayDb: Kysely<SimulatedGatewayTables>;
let client: Client;
let connection: Connection;
let native: NativeConnection;
let worker: Worker;
let running: Promise<void>;
let taskQueue: string;

beforeAll(async () => {
  env = await createTestEnvironment();
  eventStore = createDatabase<EventStoreTables>({ url: env.eventStoreDatabaseUrl, maxConnections: 5 });
  await runMigrations(eventStore, eventStoreMigrations);
  await runMigrations(eventStore, simulatedGatewayMigrations);
  gatewayDb = withTablesOf<SimulatedGatewayTables>(eventStore);
  native = await NativeConnection.connect({ address: env.temporalAddress });
  connection = await Connection.connect({ address: env.temporalAddress });
  client = new Client({ connection, namespace: env.namespace });
  taskQueue = `invoice-payment-${env.uniqueId}`;
  worker = await createCommandWorker({
    connection: native,
    namespace: env.namespace,
    taskQueue,
    workflowBundle: await loadWorkflowBundle(),
    dependencies: { eventStore, gateway: createSimulatedGateway(gatewayDb) },
  });
  running = worker.run();
}, 180_000);

afterAll(async () => {
  worker?.shutdown();
  await running?.catch(() => undefined);
  await Promise.allSettled([connection?.close(), native?.close()]);
  await eventStore?.destroy();
  await env?.dispose();
});

const context = (userId = 'user-1'): CommandContext => ({
  commandId: randomUUID(),
  correlationId: randomUUID(),
  causationId: randomUUID(),
  userId,
});

/** An issued invoice of 12.50 EUR, as the billing process would append it (decided by the domain). */
async function issueInvoice(organizationId: string, dunning: string[]): Promise<string> {
  const invoiceId = randomUUID();
  const decision = decideInvoice(
    foldInvoice([]),
    {
      type: 'IssueInvoice',
      data: {
        invoiceId,
        organizationId,
        number: '2026-000001',
        cycleSequence: 1,
        currency: 'EUR',
        periodStart: '2026-11-01T00:00:00.000Z',
        periodEnd: '2026-12-01T00:00:00.000Z',
        lines: [{ kind: 'base_fee', meter: null, quantity: '1', unitPrice: '12.50', amount: '12.50', late: false }],
        total: '12.50',
        dunning,
      },
    },
    new Date().toISOString(),
  );
  if (isDomainError(decision)) throw decision;
  await appendToStream(eventStore, {
    streamId: invoiceStreamId(invoiceId),
    streamType: INVOICE_STREAM_TYPE,
    expectedVersion: 'no_stream',
    events: decision.map((event) => ({
      eventId: randomUUID(),
      type: event.type,
      data: event.data as unknown as Record<string, unknown>,
      metadata: { organizationId },
      schemaVersion: 1,
    })),
  });
  return invoiceId;
}

const startProcess = (invoiceId: string, organizationId: string) =>
  startWorkflow(client, INVOICE_PAYMENT_WORKFLOW, {
    taskQueue,
    workflowId: invoicePaymentWorkflowId(invoiceId),
    args: [{ invoiceId, organizationId }],
  });

async function setPaymentMethod(organizationId: string, metadata: Record<string, string>) {
  const request = { kind: 'set-payment-method' as const, context: context(), organizationId, metadata };
  const handle = await startWorkflow(client, ORGANIZATION_ACCOUNT_COMMAND_WORKFLOW, {
    taskQueue,
    workflowId: organizationAccountCommandWorkflowId(request.context.commandId),
    args: [request],
  });
  return handle.result();
}

/** Pays now: an Update on the running process, or a new run when it has ended. */
async function payNow(invoiceId: string, organizationId: string, commandContext = context()) {
  const start = new WithStartWorkflowOperation<InvoicePaymentWorkflow>(INVOICE_PAYMENT_WORKFLOW.name, {
    taskQueue,
    workflowId: invoicePaymentWorkflowId(invoiceId),
    args: [{ invoiceId, organizationId }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return client.workflow.executeUpdateWithStart(payInvoiceUpdate, {
    args: [{ context: commandContext }],
    updateId: commandContext.commandId,
    startWorkflowOperation: start,
  });
}

async function invoiceOf(invoiceId: string) {
  const events = await readStream(eventStore, invoiceStreamId(invoiceId));
  const state = foldInvoice(events.map((e) => ({ type: e.type, data: e.data }) as InvoiceEvent));
  return { events: events.map((e) => e.type), state: state as IssuedInvoiceState };
}

const accountEvents = async (organizationId: string) =>
  (await readStream(eventStore, organizationAccountStreamId(organizationId))).map((e) => e.type);

/** Every payment stream of this test's event store whose PaymentInitiated names the invoice. */
async function paymentsOf(invoiceId: string) {
  const rows = await sql<{ stream_id: string; payment_id: string }>`
    SELECT stream_id, data->>'paymentId' AS payment_id FROM events
    WHERE type = 'PaymentInitiated' AND data->>'invoiceId' = ${invoiceId}`.execute(eventStore);
  return rows.rows.map((row) => row.payment_id);
}

async function ledgerOf(paymentIds: string[]) {
  return gatewayDb
    .selectFrom('simulated_gateway_charges')
    .select(['payment_id', 'outcome'])
    .where('payment_id', 'in', paymentIds)
    .execute();
}

describe('invoice payment process', () => {
  it('is paid by its first attempt when the payment method is good', async () => {
    const organizationId = `org-${randomUUID()}`;
    const invoiceId = await issueInvoice(organizationId, ['PT1S']);

    const outcome = await (await startProcess(invoiceId, organizationId)).result();

    expect(outcome).toEqual({ invoiceId, status: 'paid', attempts: 1 });
    const invoice = await invoiceOf(invoiceId);
    expect(invoice.events).toEqual(['InvoiceIssued', 'InvoicePaymentStarted', 'InvoicePaid']);
    expect(invoice.state).toMatchObject({ status: 'paid', amountPaidMinor: 1250n });
    const payments = await paymentsOf(invoiceId);
    expect(payments).toEqual(invoice.state.paymentIds);
    expect(await ledgerOf(payments)).toEqual([{ payment_id: payments[0], outcome: 'approved' }]);
    expect(await accountEvents(organizationId)).toEqual([]);
  });

  it('a capture whose answer the gateway lost is settled by its idempotency key: one capture, paid, no second attempt', async () => {
    const organizationId = `org-${randomUUID()}`;
    // Every charge call captures (once: the key replays it) and then fails as if the answer was lost.
    await setPaymentMethod(organizationId, { simulate: SIMULATIONS.answerLost });
    const invoiceId = await issueInvoice(organizationId, ['PT1S']);

    const outcome = await (await startProcess(invoiceId, organizationId)).result();

    // Not declined and retried by dunning (that would be a second payment and a second capture):
    // the lookup found the capture, so the first attempt paid the invoice.
    expect(outcome).toEqual({ invoiceId, status: 'paid', attempts: 1 });
    const invoice = await invoiceOf(invoiceId);
    expect(invoice.events).toEqual(['InvoiceIssued', 'InvoicePaymentStarted', 'InvoicePaid']);
    const payments = await paymentsOf(invoiceId);
    expect(payments).toEqual(invoice.state.paymentIds);
    const ledger = await gatewayDb
      .selectFrom('simulated_gateway_charges')
      .select(['payment_id', 'outcome', 'captures'])
      .where('payment_id', 'in', payments)
      .execute();
    expect(ledger).toEqual([{ payment_id: payments[0], outcome: 'approved', captures: 1 }]);
  }, 120_000);

  it('a refund of the paying payment moves money back through the gateway and shows on the invoice once', async () => {
    const organizationId = `org-${randomUUID()}`;
    const invoiceId = await issueInvoice(organizationId, ['PT1S']);
    expect(await (await startProcess(invoiceId, organizationId)).result()).toMatchObject({ status: 'paid' });
    const [paymentId] = await paymentsOf(invoiceId);
    const refundContext = context();
    const handle = await startWorkflow(client, PAYMENT_COMMAND_WORKFLOW, {
      taskQueue,
      workflowId: commandWorkflowId(refundContext.commandId),
      args: [
        {
          kind: 'refund',
          context: refundContext,
          paymentId: paymentId!,
          refund: { refundId: refundContext.commandId, amount: '2.50', reason: 'goodwill' },
        },
      ],
    });
    await handle.result();

    const invoice = await invoiceOf(invoiceId);
    expect(invoice.events).toEqual(['InvoiceIssued', 'InvoicePaymentStarted', 'InvoicePaid', 'InvoiceRefundRecorded']);
    expect(invoice.state).toMatchObject({ status: 'paid', amountRefundedMinor: 250n });
    // The money moved back once, in the gateway's ledger.
    const refunds = await gatewayDb
      .selectFrom('simulated_gateway_refunds')
      .select(['refund_id', 'amount', 'refunds'])
      .where('payment_id', '=', paymentId!)
      .execute();
    expect(refunds).toEqual([{ refund_id: refundContext.commandId, amount: '2.50', refunds: 1 }]);
  }, 120_000);

  it('dunning: declined attempts on durable timers, uncollectible and suspended, then a good method and pay: paid and active', async () => {
    const organizationId = `org-${randomUUID()}`;
    await setPaymentMethod(organizationId, { simulate: 'decline' });
    const invoiceId = await issueInvoice(organizationId, ['PT1S', 'PT1S']);
    const handle = await startProcess(invoiceId, organizationId);

    await waitFor('the first decline', async () => (await invoiceOf(invoiceId)).state.status === 'past_due');
    const outcome = await handle.result();

    expect(outcome).toEqual({ invoiceId, status: 'uncollectible', attempts: 3 });
    const dunned = await invoiceOf(invoiceId);
    expect(dunned.events).toEqual([
      'InvoiceIssued',
      ...['1', '2'].flatMap(() => ['InvoicePaymentStarted', 'InvoicePaymentFailed']),
      'InvoicePaymentStarted',
      'InvoicePaymentFailed',
      'InvoiceUncollectible',
    ]);
    expect(dunned.state).toMatchObject({ status: 'uncollectible', attempts: 3, nextAttemptAt: null });
    expect(await accountEvents(organizationId)).toEqual(['OrganizationPaymentMethodSet', 'OrganizationSuspended']);

    // Paying with the declining method: the payment fails, the invoice stays uncollectible.
    const declined = await payNow(invoiceId, organizationId);
    expect(declined).toMatchObject({ status: 'failed', paymentId: (await invoiceOf(invoiceId)).state.paymentIds[3] });

    await setPaymentMethod(organizationId, { card: 'visa-4242' });
    const paid = await payNow(invoiceId, organizationId);
    expect(paid).toMatchObject({ status: 'processed' });

    const invoice = await invoiceOf(invoiceId);
    expect(invoice.state).toMatchObject({ status: 'paid', attempts: 5, amountPaidMinor: 1250n });
    expect(invoice.state.paidPaymentId).toBe(paid.paymentId);
    expect(await accountEvents(organizationId)).toEqual([
      'OrganizationPaymentMethodSet',
      'OrganizationSuspended',
      'OrganizationPaymentMethodSet',
      'OrganizationReinstated',
    ]);
    // One payment per attempt, each the invoice's; one charge row each in the ledger and a single capture.
    const payments = await paymentsOf(invoiceId);
    expect([...payments].sort()).toEqual([...invoice.state.paymentIds].sort());
    expect(payments).toHaveLength(5);
    const ledger = await ledgerOf(payments);
    expect(ledger).toHaveLength(5);
    expect(ledger.filter((row) => row.outcome === 'approved')).toEqual([
      { payment_id: paid.paymentId, outcome: 'approved' },
    ]);
    const { status } = await client.workflow.getHandle(invoicePaymentWorkflowId(invoiceId)).describe();
    expect(status.name).toBe('COMPLETED');
  }, 120_000);

  it('a pay while dunning waits makes one more payment, ends the wait, and never suspends', async () => {
    const organizationId = `org-${randomUUID()}`;
    await setPaymentMethod(organizationId, { simulate: 'decline' });
    const invoiceId = await issueInvoice(organizationId, ['P1D', 'P1D']);
    const handle = await startProcess(invoiceId, organizationId);
    await waitFor('the first decline', async () => (await invoiceOf(invoiceId)).state.status === 'past_due');
    expect((await invoiceOf(invoiceId)).state.nextAttemptAt).not.toBeNull();

    await setPaymentMethod(organizationId, { card: 'visa-4242' });
    const paid = await payNow(invoiceId, organizationId);

    expect(paid).toMatchObject({ status: 'processed' });
    expect(await handle.result()).toEqual({ invoiceId, status: 'paid', attempts: 2 });
    const invoice = await invoiceOf(invoiceId);
    expect(invoice.events).toEqual([
      'InvoiceIssued',
      'InvoicePaymentStarted',
      'InvoicePaymentFailed',
      'InvoicePaymentStarted',
      'InvoicePaid',
    ]);
    expect(invoice.state).toMatchObject({ status: 'paid', nextAttemptAt: null, paidPaymentId: paid.paymentId });
    expect(await accountEvents(organizationId)).toEqual([
      'OrganizationPaymentMethodSet',
      'OrganizationPaymentMethodSet',
    ]);
    expect([...(await paymentsOf(invoiceId))].sort()).toEqual([...invoice.state.paymentIds].sort());
  }, 60_000);

  it('void ends the dunning process; a later pay is refused and nothing is appended', async () => {
    const organizationId = `org-${randomUUID()}`;
    await setPaymentMethod(organizationId, { simulate: 'decline' });
    const invoiceId = await issueInvoice(organizationId, ['P1D']);
    const handle = await startProcess(invoiceId, organizationId);
    await waitFor('the first decline', async () => (await invoiceOf(invoiceId)).state.status === 'past_due');

    const voidContext = context('admin-1');
    const voided = await handle.executeUpdate(voidInvoiceUpdate, {
      args: [{ context: voidContext, reason: 'billed by mistake' }],
      updateId: voidContext.commandId,
    });

    expect(voided).toMatchObject({ commandId: voidContext.commandId, invoiceId, status: 'void', version: 4 });
    expect(await handle.result()).toEqual({ invoiceId, status: 'void', attempts: 1 });
    const before = await invoiceOf(invoiceId);
    expect(before.events.at(-1)).toBe('InvoiceVoided');

    const refused = await payNow(invoiceId, organizationId).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'CONFLICT' });
    expect((await invoiceOf(invoiceId)).events).toEqual(before.events);
    expect(await paymentsOf(invoiceId)).toHaveLength(1);
  }, 60_000);
});
