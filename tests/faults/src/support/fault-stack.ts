import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Kysely } from 'kysely';
import { migrateAll } from '@gyroscops/cli';
import {
  freePort,
  httpReady,
  startTemporalDevServer,
  SupervisedProcess,
  type TemporalDevServer,
} from '@gyroscops/dev-infra';
import type { EventStoreDb, EventStoreTables } from '@gyroscops/event-store';
import type { SimulatedGatewayTables } from '@gyroscops/payment-gateway';
import { createDatabase, dropDatabase, withDatabaseName, withTablesOf, type PostgresConfig } from '@gyroscops/platform';
import type { ProjectionTables } from '@gyroscops/projections';
import { FAULT_JWT_SECRET } from './http';

/** The repository root (tests/faults/src/support → four levels up). */
export const REPOSITORY_ROOT = resolve(__dirname, '../../../..');
/** The name the tests' own Postgres connections carry, so faults aimed at the services spare them. */
export const TEST_APPLICATION_NAME = 'fault-test';

export type ServiceName = 'command-api' | 'command-worker' | 'projection-worker' | 'query-api';
const ALL_SERVICES: ServiceName[] = ['command-worker', 'projection-worker', 'command-api', 'query-api'];

export interface FaultStackOptions {
  /** Keep Temporal's state in this SQLite file, so the server can be restarted without losing workflows. */
  temporalDbFile?: string;
  /** The Redis the services use (a test-owned server); the machine's Redis when omitted. */
  redisUrl?: string;
  /** Extra environment for every service. */
  env?: Record<string, string>;
  /** Which services to start (all four when omitted); the others can be started later with `service(name).start()`. */
  start?: ServiceName[];
}

export interface FaultStack {
  commandUrl: string;
  queryUrl: string;
  /** The Temporal dev server now running (replaced by `restartTemporal`). */
  temporal(): TemporalDevServer;
  /** Kills the Temporal dev server with `signal` and starts it again on the same port and data file. */
  restartTemporal(signal: NodeJS.Signals, whileDown?: () => Promise<void>): Promise<void>;
  service(name: ServiceName): SupervisedProcess;
  /** The test's own connections (application_name `fault-test`). */
  eventStore: EventStoreDb;
  /** The same event-store connections, seen as the simulated gateway's ledger. */
  gatewayDb: Kysely<SimulatedGatewayTables>;
  readDb: Kysely<ProjectionTables>;
  postgres: PostgresConfig;
  databaseNames: string[];
  redisPrefix: string;
  stop(): Promise<void>;
}

const BUILT_MAIN: Record<ServiceName, string> = {
  'command-api': 'apps/command-api/dist/main.js',
  'command-worker': 'apps/command-worker/dist/main.js',
  'projection-worker': 'apps/projection-worker/dist/main.js',
  'query-api': 'apps/query-api/dist/main.js',
};

/**
 * Starts what one fault test breaks: a Temporal dev server of its own (optionally on a SQLite file),
 * migrated databases of its own, a Redis prefix of its own, and the four services as child processes
 * of their BUILT `dist/main.js` (run `npm run build` first), configured only through environment
 * variables as in production. `stop` undoes all of it.
 */
export async function startFaultStack(options: FaultStackOptions = {}): Promise<FaultStack> {
  const id = randomBytes(4).toString('hex');
  const baseUrl = process.env.FAULT_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const databaseNames = [`gyro_fault_${id}_es`, `gyro_fault_${id}_read`];
  const postgres: PostgresConfig = {
    eventStoreDatabaseUrl: withDatabaseName(baseUrl, databaseNames[0]!),
    readDatabaseUrl: withDatabaseName(baseUrl, databaseNames[1]!),
    poolSize: 5,
  };
  const redisPrefix = `gyro-fault:${id}:`;
  const temporalPort = await freePort();
  let temporal: TemporalDevServer | undefined;
  const startTemporal = () =>
    startTemporalDevServer({ port: temporalPort, dbFile: options.temporalDbFile, headless: true, logLevel: 'error' });
  const services = new Map<ServiceName, SupervisedProcess>();
  let eventStore: FaultStack['eventStore'] | undefined;
  let readDb: FaultStack['readDb'] | undefined;

  const stop = async () => {
    await Promise.allSettled([...services.values()].map((service) => service.stop()));
    await temporal?.stop().catch(() => undefined);
    await eventStore?.destroy().catch(() => undefined);
    await readDb?.destroy().catch(() => undefined);
    for (const url of [postgres.eventStoreDatabaseUrl, postgres.readDatabaseUrl])
      await dropDatabase(url).catch(() => undefined);
  };

  try {
    [temporal] = await Promise.all([startTemporal(), migrateAll(postgres, () => undefined)]);
    eventStore = createDatabase<EventStoreTables>({
      url: postgres.eventStoreDatabaseUrl,
      maxConnections: 4,
      applicationName: TEST_APPLICATION_NAME,
    });
    readDb = createDatabase<ProjectionTables>({
      url: postgres.readDatabaseUrl,
      maxConnections: 4,
      applicationName: TEST_APPLICATION_NAME,
    });
    const [commandPort, queryPort, commandWorkerHealth, projectionWorkerHealth] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      EVENT_STORE_DATABASE_URL: postgres.eventStoreDatabaseUrl,
      READ_DATABASE_URL: postgres.readDatabaseUrl,
      PG_POOL_SIZE: '5',
      REDIS_URL: options.redisUrl ?? process.env.FAULT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: redisPrefix,
      TEMPORAL_ADDRESS: temporal.address,
      MIGRATE_ON_START: 'false',
      LOG_LEVEL: 'warn',
      JWT_SECRET: FAULT_JWT_SECRET,
      // Load shedding (503 past 1 s of event-loop delay) off: on a shared 2-core machine it sheds these
      // tests' requests at random, and what they prove is correctness under faults, not shedding.
      MAX_EVENT_LOOP_DELAY_MS: '0',
      COMMAND_API_PORT: String(commandPort),
      QUERY_API_PORT: String(queryPort),
      COMMAND_WORKER_HEALTH_PORT: String(commandWorkerHealth),
      PROJECTION_WORKER_HEALTH_PORT: String(projectionWorkerHealth),
      ...options.env,
    };
    const readyUrl: Record<ServiceName, string> = {
      'command-api': `http://127.0.0.1:${commandPort}/health/ready`,
      'command-worker': `http://127.0.0.1:${commandWorkerHealth}/health/ready`,
      'projection-worker': `http://127.0.0.1:${projectionWorkerHealth}/health/ready`,
      'query-api': `http://127.0.0.1:${queryPort}/health/ready`,
    };
    for (const name of ALL_SERVICES) {
      services.set(
        name,
        new SupervisedProcess({
          name,
          command: process.execPath,
          args: [join(REPOSITORY_ROOT, BUILT_MAIN[name])],
          env,
          cwd: REPOSITORY_ROOT,
          isReady: httpReady(readyUrl[name]),
          readyTimeoutMs: 240_000,
        }),
      );
    }
    const toStart = options.start ?? ALL_SERVICES;
    await Promise.all(toStart.map((name) => services.get(name)!.start()));
    const stack: FaultStack = {
      commandUrl: `http://127.0.0.1:${commandPort}`,
      queryUrl: `http://127.0.0.1:${queryPort}`,
      temporal: () => temporal!,
      async restartTemporal(signal, whileDown) {
        const down = temporal!;
        const exited = new Promise<void>((done) =>
          down.process.exitCode !== null || down.process.signalCode !== null
            ? done()
            : down.process.once('exit', () => done()),
        );
        down.process.kill(signal);
        await exited;
        await whileDown?.();
        temporal = await startTemporal();
      },
      service: (name) => services.get(name)!,
      eventStore,
      gatewayDb: withTablesOf<SimulatedGatewayTables>(eventStore),
      readDb,
      postgres,
      databaseNames,
      redisPrefix,
      stop,
    };
    return stack;
  } catch (error) {
    const outputs = [...services.values()]
      .map((service) => `--- ${service.name} ---\n${service.output().slice(-15).join('\n')}`)
      .join('\n');
    await stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${outputs}`);
  }
}
