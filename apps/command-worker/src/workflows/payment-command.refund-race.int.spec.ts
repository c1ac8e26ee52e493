/**
 * The refund race: other commands land on the payment while its refund is in flight at the gateway.
 * A description change must not make the refund command lose the gateway's answer (it is recorded
 * after reloading the stream); a second refund may only take what the first has not promised; a
 * deletion is refused until the gateway has answered. Real Temporal, real Postgres; the gateway call
 * is held open until the other commands are done.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import {
  commandWorkflowId,
  PAYMENT_COMMAND_WORKFLOW,
  paymentStreamId,
  type CommandContext,
  type PaymentCommandRequest,
  type PaymentCommandResult,
} from '@gyroscops/contracts';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import { eventStoreMigrations, readStream, type EventStoreTables } from '@gyroscops/event-store';
import {
  createSimulatedGateway,
  simulatedRefundsOf,
  simulatedGatewayMigrations,
  type SimulatedGatewayTables,
} from '@gyroscops/payment-gateway';
import { createDatabase, runMigrations, startWorkflow, withTablesOf } from '@gyroscops/platform';
import type { Kysely } from 'kysely';
import { createCommandActivities } from '../activities/create-command-activities';
import { createCommandWorker } from '../worker';
import { loadWorkflowBundle } from '../workflow-bundle';

let env: TestEnvironment;
let eventStore: Kysely<EventStoreTables>;
let native: NativeConnection;
let connection: Connection;
let client: Client;
let worker: Worker;
let running: Promise<void>;
let taskQueue: string;

/** Each refund waits here until the test lets it answer. */
let heldRefunds: { started: () => void; release: Promise<void> } | undefined;

beforeAll(async () => {
  env = await createTestEnvironment();
  eventStore = createDatabase<EventStoreTables>({ url: env.eventStoreDatabaseUrl, maxConnections: 5 });
  await runMigrations(eventStore, eventStoreMigrations);
  await runMigrations(eventStore, simulatedGatewayMigrations);
  const gateway = createSimulatedGateway(withTablesOf<SimulatedGatewayTables>(eventStore));
  const real = createCommandActivities({ eventStore, gateway });
  native = await NativeConnection.connect({ address: env.temporalAddress });
  connection = await Connection.connect({ address: env.temporalAddress });
  client = new Client({ connection, namespace: env.namespace });
  taskQueue = `refund-race-${env.uniqueId}`;
  worker = await createCommandWorker({
    connection: native,
    namespace: env.namespace,
    taskQueue,
    workflowBundle: await loadWorkflowBundle(),
    dependencies: { eventStore, gateway },
    activities: {
      async refundPayment(request) {
        const hold = heldRefunds;
        if (hold) {
          hold.started();
          await hold.release;
        }
        return real.refundPayment(request);
      },
    },
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

const contextOf = (): CommandContext => ({
  commandId: randomUUID(),
  correlationId: randomUUID(),
  causationId: randomUUID(),
  userId: 'user-race',
});

const run = (request: PaymentCommandRequest) =>
  startWorkflow(client, PAYMENT_COMMAND_WORKFLOW, {
    taskQueue,
    workflowId: commandWorkflowId(request.context.commandId),
    args: [request],
  });

const rejectionOf = async (promise: Promise<unknown>): Promise<string | undefined> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  return ((error as WorkflowFailedError).cause as { type?: string } | undefined)?.type;
};

it('commands that land while a refund is in flight neither lose its answer nor refund more than the payment', async () => {
  const paymentId = randomUUID();
  const created = await (
    await run({
      kind: 'create',
      context: contextOf(),
      payment: { paymentId, organizationId: 'org-race', amount: '50.00', currency: 'EUR' },
    })
  ).result();
  expect(created).toMatchObject({ status: 'processed', version: 2 });

  let refundStarted!: () => void;
  const started = new Promise<void>((resolve) => (refundStarted = resolve));
  let releaseRefund!: () => void;
  heldRefunds = { started: refundStarted, release: new Promise<void>((resolve) => (releaseRefund = resolve)) };
  const refundContext = contextOf();
  const refunding = await run({
    kind: 'refund',
    context: refundContext,
    paymentId,
    refund: { refundId: refundContext.commandId, amount: '30.00', reason: null },
  });
  await started;
  heldRefunds = undefined;

  // While the gateway holds the refund: the rest (20.00) may be refunded, no more; nothing is deleted.
  const renamed = await (
    await run({ kind: 'update', context: contextOf(), paymentId, changes: { description: 'renamed mid-refund' } })
  ).result();
  expect(renamed).toMatchObject({ status: 'processed', version: 4 });
  const tooMuchContext = contextOf();
  const tooMuch = await run({
    kind: 'refund',
    context: tooMuchContext,
    paymentId,
    refund: { refundId: tooMuchContext.commandId, amount: '20.01', reason: null },
  });
  expect(await rejectionOf(tooMuch.result())).toBe('CONFLICT');
  const deleted = await run({ kind: 'delete', context: contextOf(), paymentId });
  expect(await rejectionOf(deleted.result())).toBe('CONFLICT');

  releaseRefund();
  const refunded: PaymentCommandResult = await refunding.result();

  expect(refunded).toMatchObject({ paymentId, status: 'partially_refunded', version: 5 });
  const stream = await readStream(eventStore, paymentStreamId(paymentId));
  expect(stream.map((event) => event.type)).toEqual([
    'PaymentInitiated',
    'PaymentProcessed',
    'RefundRequested',
    'PaymentUpdated',
    'PaymentRefunded',
  ]);
  expect(stream[4]!.data).toMatchObject({ refundId: refundContext.commandId, amount: '30.00', refundedTotal: '30.00' });
  const refunds = await simulatedRefundsOf(withTablesOf<SimulatedGatewayTables>(eventStore), paymentId);
  expect(refunds).toMatchObject([{ refund_id: refundContext.commandId, refunds: 1, attempts: 1 }]);
}, 120_000);
