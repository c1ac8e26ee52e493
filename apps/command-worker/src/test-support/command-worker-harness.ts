/**
 * A command worker on its own task queue, for integration tests of the command workflows: a test
 * environment (databases, Temporal namespace), the event store and simulated gateway migrated, a
 * client, and a worker whose activities a test may wrap (to hold a gateway call open, say).
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import {
  commandWorkflowId,
  PAYMENT_COMMAND_WORKFLOW,
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
import { createCommandActivities, type CommandActivities } from '../activities/create-command-activities';
import { createCommandWorker } from '../worker';
import { loadWorkflowBundle } from '../workflow-bundle';

export interface CommandWorkerHarness {
  env: TestEnvironment;
  eventStore: Kysely<EventStoreTables>;
  gatewayDb: Kysely<SimulatedGatewayTables>;
  /** Starts a payment command workflow on the harness's task queue. */
  start(request: PaymentCommandRequest): ReturnType<typeof startPaymentCommand>;
  stop(): Promise<void>;
}

function startPaymentCommand(client: Client, taskQueue: string, request: PaymentCommandRequest) {
  return startWorkflow(client, PAYMENT_COMMAND_WORKFLOW, {
    taskQueue,
    workflowId: commandWorkflowId(request.context.commandId),
    args: [request],
  });
}

/**
 * Starts the harness. `wrap` receives the real activities and returns the ones to replace.
 * Call it in beforeAll (it bundles the workflow code) and stop it in afterAll.
 */
export async function startCommandWorkerHarness(
  name: string,
  wrap: (real: CommandActivities) => Partial<CommandActivities> = () => ({}),
): Promise<CommandWorkerHarness> {
  const env = await createTestEnvironment();
  const eventStore = createDatabase<EventStoreTables>({ url: env.eventStoreDatabaseUrl, maxConnections: 5 });
  await runMigrations(eventStore, eventStoreMigrations);
  await runMigrations(eventStore, simulatedGatewayMigrations);
  const gatewayDb = withTablesOf<SimulatedGatewayTables>(eventStore);
  const gateway = createSimulatedGateway(gatewayDb);
  const native = await NativeConnection.connect({ address: env.temporalAddress });
  const connection = await Connection.connect({ address: env.temporalAddress });
  const client = new Client({ connection, namespace: env.namespace });
  const taskQueue = `${name}-${env.uniqueId}`;
  const worker: Worker = await createCommandWorker({
    connection: native,
    namespace: env.namespace,
    taskQueue,
    workflowBundle: await loadWorkflowBundle(),
    dependencies: { eventStore, gateway },
    activities: wrap(createCommandActivities({ eventStore, gateway })),
  });
  const running = worker.run();
  return {
    env,
    eventStore,
    gatewayDb,
    start: (request) => startPaymentCommand(client, taskQueue, request),
    async stop() {
      worker.shutdown();
      await running.catch(() => undefined);
      await Promise.allSettled([connection.close(), native.close()]);
      await eventStore.destroy();
      await env.dispose();
    },
  };
}

/** A fresh command context for one command of the given user. */
export const commandContext = (userId: string): CommandContext => ({
  commandId: randomUUID(),
  correlationId: randomUUID(),
  causationId: randomUUID(),
  userId,
});

/** The failure type of a command workflow that must fail (the test fails if it succeeds). */
export async function rejectionTypeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof WorkflowFailedError)) throw new Error(`expected the workflow to fail, got ${String(error)}`);
  return (error.cause as { type?: string } | undefined)?.type;
}
