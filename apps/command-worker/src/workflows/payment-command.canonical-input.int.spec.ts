/**
 * A command workflow started by a client other than the command-api (which canonicalizes ids at its
 * edge) with ids in upper case: the workflow spells them canonically itself, so the payment's stream,
 * its events' data and the result all carry the lower-case id, and a later command naming the id in
 * another spelling reaches the same payment. Real Temporal, real Postgres.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import {
  commandWorkflowId,
  PAYMENT_COMMAND_WORKFLOW,
  paymentStreamId,
  type CommandContext,
  type PaymentCommandRequest,
} from '@gyroscops/contracts';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import { eventStoreMigrations, type EventStoreTables } from '@gyroscops/event-store';
import {
  createSimulatedGateway,
  simulatedGatewayMigrations,
  type SimulatedGatewayTables,
} from '@gyroscops/payment-gateway';
import { createDatabase, runMigrations, startWorkflow, withTablesOf } from '@gyroscops/platform';
import type { Kysely } from 'kysely';
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

beforeAll(async () => {
  env = await createTestEnvironment();
  eventStore = createDatabase<EventStoreTables>({ url: env.eventStoreDatabaseUrl, maxConnections: 5 });
  await runMigrations(eventStore, eventStoreMigrations);
  await runMigrations(eventStore, simulatedGatewayMigrations);
  const gateway = createSimulatedGateway(withTablesOf<SimulatedGatewayTables>(eventStore));
  native = await NativeConnection.connect({ address: env.temporalAddress });
  connection = await Connection.connect({ address: env.temporalAddress });
  client = new Client({ connection, namespace: env.namespace });
  taskQueue = `canonical-input-${env.uniqueId}`;
  worker = await createCommandWorker({
    connection: native,
    namespace: env.namespace,
    taskQueue,
    workflowBundle: await loadWorkflowBundle(),
    dependencies: { eventStore, gateway },
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

/** A UUID with letters in known places, so its upper-case spelling surely differs. */
const lettered = () => `abcd${randomUUID().slice(4)}`;

const contextOf = (): CommandContext => ({
  commandId: randomUUID().toUpperCase(),
  correlationId: randomUUID(),
  causationId: randomUUID(),
  userId: 'user-canonical',
});

const run = async (request: PaymentCommandRequest) =>
  (
    await startWorkflow(client, PAYMENT_COMMAND_WORKFLOW, {
      taskQueue,
      workflowId: commandWorkflowId(request.context.commandId),
      args: [request],
    })
  ).result();

it('spells the ids of a command started with upper-case ids canonically in the stream, the events and the result', async () => {
  const paymentId = lettered();

  const created = await run({
    kind: 'create',
    context: contextOf(),
    payment: { paymentId: paymentId.toUpperCase(), organizationId: 'org-canonical', amount: '20.00', currency: 'EUR' },
  });
  expect(created).toMatchObject({ paymentId, status: 'processed', version: 2 });
  const updated = await run({
    kind: 'update',
    context: contextOf(),
    paymentId: `urn:uuid:${paymentId.toUpperCase()}`,
    changes: { description: 'same payment' },
  });
  expect(updated).toMatchObject({ paymentId, version: 3 });

  const streams = await eventStore.selectFrom('streams').select('stream_id').execute();
  expect(streams.map((stream) => stream.stream_id)).toEqual([paymentStreamId(paymentId)]);
  const events = await eventStore
    .selectFrom('events')
    .select(['stream_id', 'data', 'metadata'])
    .orderBy('position')
    .execute();
  expect(events).toHaveLength(3);
  for (const event of events) {
    expect(event.stream_id).toBe(paymentStreamId(paymentId));
    expect(event.data).toMatchObject({ paymentId });
    expect(JSON.stringify(event.data)).not.toContain(paymentId.toUpperCase());
  }
  // The workflow id stays as its starter spelled it (it names the execution); the ids the events carry do not.
  for (const { metadata } of events) expect(metadata.commandId).toBe(String(metadata.commandId).toLowerCase());
});
