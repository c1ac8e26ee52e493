import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { NativeConnection, type Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type Redis from 'ioredis';
import type { Kysely } from 'kysely';
import { EVENT_STORE_MIGRATIONS, READ_MIGRATIONS } from '@gyroscops/cli';
import { buildCommandApi } from '@gyroscops/command-api';
import {
  createCommandWorker,
  loadWorkflowBundle as loadCommandBundle,
  type CommandActivities,
} from '@gyroscops/command-worker';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import type { EventStoreDb, EventStoreTables } from '@gyroscops/event-store';
import type { IdempotencyTables } from '@gyroscops/idempotency';
import { createSimulatedGateway, type SimulatedGatewayTables } from '@gyroscops/payment-gateway';
import {
  createDatabase,
  createMetricsRegistry,
  createRedis,
  runMigrations,
  temporalClientInterceptors,
  withTablesOf,
  type HttpApp,
  type LogConfig,
} from '@gyroscops/platform';
import {
  CacheInvalidator,
  createProjectionWorker,
  type ProjectionActivities,
  loadWorkflowBundle as loadProjectionBundle,
  projectionRegistry,
  startProjectionWorkflows,
} from '@gyroscops/projection-worker';
import { ProjectionPositionTracker, type ProjectionTables } from '@gyroscops/projections';
import { buildQueryApi, DEFAULT_CACHE_SETTINGS } from '@gyroscops/query-api';
import { createQueryWorker, loadWorkflowBundle as loadQueryBundle } from '@gyroscops/query-worker';
import type { PaymentReadTables } from '@gyroscops/read-models';
import { TEST_JWT_SECRET } from './http-client';
import { installQuietTemporalRuntime } from './quiet-temporal-runtime';

installQuietTemporalRuntime();

const QUIET: LogConfig = { level: 'silent', pretty: false };
/** Both APIs verify HS256 tokens signed with the test secret (`call()` sends one by default). */
const AUTH = { kind: 'secret' as const, secret: TEST_JWT_SECRET };

/** Workflow bundles take seconds to build: once per test file is enough. */
const bundles: {
  command?: Promise<WorkflowBundleOption>;
  projection?: Promise<WorkflowBundleOption>;
  query?: Promise<WorkflowBundleOption>;
} = {};

export interface TestStackOptions {
  /** Replace command activities (to stop a worker mid-command, for instance). */
  commandActivities?: Partial<CommandActivities>;
  /** Leave out the command worker (a test starts its own). */
  withoutCommandWorker?: boolean;
  /** Leave out the projection worker (a test starts its own). */
  withoutProjectionWorker?: boolean;
  /** Start a query worker (reports). Off by default: its workflow bundle costs seconds per test file. */
  withQueryWorker?: boolean;
  resultTimeoutMs?: number;
}

export interface TestStack {
  env: TestEnvironment;
  commandUrl: string;
  queryUrl: string;
  eventStore: EventStoreDb;
  gatewayDb: Kysely<SimulatedGatewayTables>;
  readDb: Kysely<PaymentReadTables & ProjectionTables>;
  temporal: Client;
  nativeConnection: NativeConnection;
  commandBundle: WorkflowBundleOption;
  /** Starts one more command worker (tests that replace a crashed one). */
  startCommandWorker(
    activities?: Partial<CommandActivities>,
    options?: { shutdownGraceTime?: Duration },
  ): Promise<RunningWorker>;
  /** Starts one more projection worker, optionally wrapping its activities. */
  startProjectionWorker(
    wrapActivities?: (real: ProjectionActivities) => Partial<ProjectionActivities>,
    options?: { shutdownGraceTime?: Duration },
  ): Promise<RunningWorker>;
  stop(): Promise<void>;
}

export interface RunningWorker {
  worker: Worker;
  /** Graceful shutdown; resolves when the worker stopped. */
  stop(): Promise<void>;
}

function run(worker: Worker): RunningWorker {
  const running = worker.run();
  return {
    worker,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}

async function listen(app: HttpApp): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/**
 * The whole platform in this process, on a test file's own databases, Redis prefix and Temporal
 * namespace: both APIs on real ports, the command, projection and query workers on the real server.
 */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const env = await createTestEnvironment();
  const eventStore = createDatabase<EventStoreTables>({ url: env.eventStoreDatabaseUrl, maxConnections: 10 });
  const readDb = createDatabase<PaymentReadTables & ProjectionTables>({ url: env.readDatabaseUrl, maxConnections: 10 });
  for (const set of EVENT_STORE_MIGRATIONS) await runMigrations(eventStore, set);
  for (const set of READ_MIGRATIONS) await runMigrations(readDb, set);

  const redisConfig = { url: env.redisUrl, keyPrefix: env.redisPrefix };
  const redis: Redis = createRedis(redisConfig, { name: 'test-query-api' });
  const subscriber: Redis = createRedis(redisConfig, {
    name: 'test-subscriber',
    offlineQueue: true,
    commandTimeoutMs: 5_000,
  });
  const publisher: Redis = createRedis(redisConfig, { name: 'test-projection-worker' });
  const connection = await Connection.connect({ address: env.temporalAddress });
  // Carries trace context into workflows when the test started tracing (no interceptor otherwise).
  const temporal = new Client({ connection, namespace: env.namespace, interceptors: temporalClientInterceptors() });
  const nativeConnection = await NativeConnection.connect({ address: env.temporalAddress });
  bundles.command ??= loadCommandBundle();
  bundles.projection ??= loadProjectionBundle();
  const [commandBundle, projectionBundle] = await Promise.all([bundles.command, bundles.projection]);
  const gatewayDb = withTablesOf<SimulatedGatewayTables>(eventStore);

  const workers: RunningWorker[] = [];
  const startCommandWorker = async (
    activities?: Partial<CommandActivities>,
    workerOptions: { shutdownGraceTime?: Duration } = {},
  ) => {
    const worker = await createCommandWorker({
      connection: nativeConnection,
      namespace: env.namespace,
      workflowBundle: commandBundle,
      dependencies: { eventStore, gateway: createSimulatedGateway(gatewayDb) },
      activities,
      shutdownGraceTime: workerOptions.shutdownGraceTime,
    });
    const running = run(worker);
    workers.push(running);
    return running;
  };
  if (!options.withoutCommandWorker) await startCommandWorker(options.commandActivities);

  const startProjectionWorker = async (
    wrapActivities?: (real: ProjectionActivities) => Partial<ProjectionActivities>,
    workerOptions: { shutdownGraceTime?: Duration } = {},
  ) => {
    const worker = await createProjectionWorker({
      connection: nativeConnection,
      namespace: env.namespace,
      workflowBundle: projectionBundle,
      dependencies: {
        readDb: withTablesOf<ProjectionTables>(readDb),
        eventStore,
        projections: projectionRegistry,
        redis: publisher,
        keyPrefix: env.redisPrefix,
        invalidator: new CacheInvalidator(publisher, env.redisPrefix),
        batchSize: 200,
        rebuildBatchSize: 1_000,
      },
      wrapActivities,
      shutdownGraceTime: workerOptions.shutdownGraceTime,
    });
    const running = run(worker);
    workers.push(running);
    return running;
  };
  if (!options.withoutProjectionWorker) await startProjectionWorker();
  await startProjectionWorkflows(temporal, withTablesOf<ProjectionTables>(readDb), projectionRegistry);
  if (options.withQueryWorker) {
    bundles.query ??= loadQueryBundle();
    const queryWorker = await createQueryWorker({
      connection: nativeConnection,
      namespace: env.namespace,
      workflowBundle: await bundles.query,
      dependencies: { eventStore, readDb: withTablesOf<PaymentReadTables>(readDb) },
    });
    workers.push(run(queryWorker));
  }

  const tracker = new ProjectionPositionTracker(withTablesOf<ProjectionTables>(readDb), subscriber, env.redisPrefix);
  await tracker.start();
  const commandApi = await buildCommandApi({
    temporal,
    eventStore,
    idempotencyDb: withTablesOf<IdempotencyTables>(eventStore),
    log: QUIET,
    auth: AUTH,
    metrics: createMetricsRegistry('command-api'),
    resultTimeoutMs: options.resultTimeoutMs ?? 20_000,
    idempotencyTtlMs: 24 * 3_600_000,
  });
  const queryApi = await buildQueryApi({
    readDb: withTablesOf<PaymentReadTables>(readDb),
    eventStore,
    redis,
    subscriber,
    tracker,
    log: QUIET,
    auth: AUTH,
    metrics: createMetricsRegistry('query-api'),
    consistency: { defaultWaitMs: 2_000, maxWaitMs: 10_000 },
    cache: { keyPrefix: env.redisPrefix, ...DEFAULT_CACHE_SETTINGS },
    // Reports (POST /reports) start query workflows.
    temporal,
  });
  const [commandUrl, queryUrl] = await Promise.all([listen(commandApi), listen(queryApi)]);

  return {
    env,
    commandUrl,
    queryUrl,
    eventStore,
    gatewayDb,
    readDb,
    temporal,
    nativeConnection,
    commandBundle,
    startCommandWorker,
    startProjectionWorker,
    async stop() {
      await Promise.allSettled([commandApi.close(), queryApi.close()]);
      tracker.stop();
      await Promise.allSettled(workers.map((worker) => worker.stop()));
      redis.disconnect();
      subscriber.disconnect();
      publisher.disconnect();
      await Promise.allSettled([eventStore.destroy(), readDb.destroy()]);
      await connection.close();
      await nativeConnection.close();
      // Terminates what still runs in the namespace (the projection workflow) and drops the databases.
      await env.dispose();
    },
  };
}
