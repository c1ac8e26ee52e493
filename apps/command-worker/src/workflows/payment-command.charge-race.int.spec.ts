/**
 * The create-payment race: another command lands on the payment while its charge is in flight.
 * A description change must not make the create command lose the charge's outcome (it used to end
 * in CONFLICT after the money had moved); an amount change and a deletion are refused while the
 * charge is in flight (a deleted payment would leave the gateway's answer nowhere to be recorded).
 * Real Temporal, real Postgres; the gateway call is held open until the other commands are done.
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
  simulatedChargesOf,
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

/** Each charge waits here until the test lets it answer. */
let heldCharges: { started: () => void; release: Promise<void> } | undefined;

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
  taskQueue = `charge-race-${env.uniqueId}`;
  worker = await createCommandWorker({
    connection: native,
    namespace: env.namespace,
    taskQueue,
    workflowBundle: await loadWorkflowBundle(),
    dependencies: { eventStore, gateway },
    activities: {
      async chargePayment(request) {
        const hold = heldCharges;
        if (hold) {
          hold.started();
          await hold.release;
        }
        return real.chargePayment(request);
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

it('an update that lands while the payment is being charged does not lose the charge; an amount change and a deletion are refused', async () => {
  let chargeStarted!: () => void;
  const started = new Promise<void>((resolve) => (chargeStarted = resolve));
  let releaseCharge!: () => void;
  heldCharges = { started: chargeStarted, release: new Promise<void>((resolve) => (releaseCharge = resolve)) };
  const paymentId = randomUUID();

  const creation = await run({
    kind: 'create',
    context: contextOf(),
    payment: { paymentId, organizationId: 'org-race', amount: '42.00', currency: 'EUR' },
  });
  await started;
  heldCharges = undefined;

  // While the gateway holds the charge: a description change goes through, an amount change does not.
  const renamed = await (
    await run({ kind: 'update', context: contextOf(), paymentId, changes: { description: 'renamed mid-charge' } })
  ).result();
  expect(renamed).toMatchObject({ paymentId, status: 'pending', version: 2 });
  const resized = await run({ kind: 'update', context: contextOf(), paymentId, changes: { amount: '43.00' } });
  expect(await rejectionOf(resized.result())).toBe('CONFLICT');
  const deleted = await run({ kind: 'delete', context: contextOf(), paymentId });
  expect(await rejectionOf(deleted.result())).toBe('CONFLICT');

  releaseCharge();
  const created: PaymentCommandResult = await creation.result();

  expect(created).toMatchObject({ paymentId, status: 'processed', version: 3 });
  const stream = await readStream(eventStore, paymentStreamId(paymentId));
  expect(stream.map((event) => event.type)).toEqual(['PaymentInitiated', 'PaymentUpdated', 'PaymentProcessed']);
  expect(stream[1]!.data).toMatchObject({ changes: { description: 'renamed mid-charge' } });
  expect(created.position).toBe(stream[2]!.position.toString());
  const charges = await simulatedChargesOf(withTablesOf<SimulatedGatewayTables>(eventStore), paymentId);
  expect(charges).toHaveLength(1);
}, 120_000);
