/**
 * The projection workflow on a real Temporal server and real Postgres: it runs the follower
 * activity (behind the 'follow-activity' patch), which applies appends as they are announced
 * (LISTEN/NOTIFY) and keeps the checkpoint at the head of the event store.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Kysely } from 'kysely';
import { PAYMENT_STREAM_TYPE, PROJECTIONS, projectionWorkflowId, TASK_QUEUES } from '@gyroscops/contracts';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import {
  appendToStream,
  eventStoreMigrations,
  headPosition,
  notifyAppended,
  type EventStoreDb,
  type EventStoreTables,
} from '@gyroscops/event-store';
import { createDatabase, runMigrations, withTablesOf } from '@gyroscops/platform';
import {
  PostgresAppendListener,
  projectionMigrations,
  readCheckpoints,
  type ProjectionTables,
} from '@gyroscops/projections';
import { eventCountsProjection, readModelMigrations } from '@gyroscops/read-models';
import { createProjectionWorker, startProjectionWorkflows } from '../worker';
import { loadWorkflowBundle } from '../workflow-bundle';

let env: TestEnvironment;
let eventStore: EventStoreDb;
let readDb: Kysely<ProjectionTables>;
let listener: PostgresAppendListener;
let connection: Connection;
let client: Client;
let native: NativeConnection;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  env = await createTestEnvironment();
  eventStore = createDatabase<EventStoreTables>({ url: env.eventStoreDatabaseUrl });
  readDb = withTablesOf<ProjectionTables>(createDatabase({ url: env.readDatabaseUrl }));
  await runMigrations(eventStore, eventStoreMigrations);
  await runMigrations(readDb, projectionMigrations);
  await runMigrations(readDb, readModelMigrations);
  listener = new PostgresAppendListener({ url: env.eventStoreDatabaseUrl });
  await listener.start();
  connection = await Connection.connect({ address: env.temporalAddress });
  client = new Client({ connection, namespace: env.namespace });
  native = await NativeConnection.connect({ address: env.temporalAddress });
  worker = await createProjectionWorker({
    connection: native,
    namespace: env.namespace,
    workflowBundle: await loadWorkflowBundle(),
    dependencies: {
      readDb,
      eventStore,
      projections: { [PROJECTIONS.eventCounts]: eventCountsProjection },
      keyPrefix: env.redisPrefix,
      batchSize: 5,
      wakeups: listener,
      pollMs: 60_000,
    },
    shutdownGraceTime: '1 second',
  });
  running = worker.run();
  await startProjectionWorkflows(
    client,
    readDb,
    { [PROJECTIONS.eventCounts]: eventCountsProjection },
    TASK_QUEUES.projections,
  );
}, 300_000);

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await listener?.close();
  await Promise.allSettled([connection?.close(), native?.close(), eventStore?.destroy(), readDb?.destroy()]);
  await env?.dispose();
});

async function appendAndAnnounce(count: number): Promise<void> {
  const paymentId = randomUUID();
  const appended = await appendToStream(eventStore, {
    streamId: `payment-${paymentId}`,
    streamType: PAYMENT_STREAM_TYPE,
    expectedVersion: 'no_stream',
    events: Array.from({ length: count }, () => ({
      eventId: randomUUID(),
      type: 'PaymentInitiated',
      data: { paymentId },
      metadata: {},
    })),
  });
  await notifyAppended(eventStore, appended.firstPosition);
}

it('follows the event store with a long-running follower activity, woken by append notifications', async () => {
  // 12 events in batches of 5; the fallback poll is a minute, so only notifications drive it.
  for (let index = 0; index < 4; index += 1) await appendAndAnnounce(3);
  const head = await headPosition(eventStore);
  const deadline = Date.now() + 60_000;
  while ((await readCheckpoints(readDb, [PROJECTIONS.eventCounts]))[0]!.position < head) {
    if (Date.now() > deadline) throw new Error('the projection did not reach the head');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const counted = await readDb
    .selectFrom('event_counts' as never)
    .select((eb) => eb.fn.sum<string>('count' as never).as('total'))
    .executeTakeFirst();
  expect(Number((counted as { total: string }).total)).toBe(12);

  const description = await client.workflow.getHandle(projectionWorkflowId(PROJECTIONS.eventCounts)).describe();
  expect(description.raw.pendingActivities?.map((activity) => activity.activityType?.name)).toEqual([
    'followProjection',
  ]);
}, 180_000);
