import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import {
  freePort,
  httpReady,
  startTemporalDevServer,
  SupervisedProcess,
  type TemporalDevServer,
} from '@gyroscops/dev-infra';
import { migrateAll } from '@gyroscops/cli';
import {
  dropDatabase,
  loadConfig,
  readPostgresConfig,
  readRedisConfig,
  withDatabaseName,
  type PostgresConfig,
} from '@gyroscops/platform';
import { mintToken } from './harness';

/** The repository root: bench/src and bench/dist are at the same depth. */
export const ROOT = resolve(__dirname, '../..');
/** The built benchmark: the baseline server and the empty workflow run from here, also under Jest. */
export const BENCH_DIST = join(ROOT, 'bench', 'dist');

/**
 * The command-api the benchmark runs: its build in this checkout, or BENCH_COMMAND_API_MAIN (the
 * `dist/main.js` of another checkout's build) to compare two versions of it on the same stack.
 */
const COMMAND_API_MAIN = process.env.BENCH_COMMAND_API_MAIN || join(ROOT, 'apps/command-api/dist/main.js');

export type ServiceName =
  | 'command-api'
  | 'command-worker'
  | 'projection-worker'
  | 'query-api'
  | 'baseline-server'
  /** A second (third, …) instance of a scaled service: `command-worker-2`, `command-api-2`. */
  | `command-worker-${number}`
  | `command-api-${number}`;

/** How many processes of the services the benchmark can scale out. */
export interface BenchTopology {
  commandWorkers: number;
  commandApis: number;
}

export interface ServiceProcess {
  name: ServiceName;
  /** The running process: its pid, its last lines of output, stop. */
  process: SupervisedProcess;
  url?: string;
}

export interface BenchStack {
  suffix: string;
  temporal: TemporalDevServer;
  postgres: PostgresConfig;
  /** Scratch databases for scenarios that write what the services must not see (append, rebuild). */
  scratch: PostgresConfig;
  redisUrl: string;
  redisPrefix: string;
  jwtSecret: string;
  services: Map<ServiceName, ServiceProcess>;
  commandUrl: string;
  /** Every command-api instance's URL (the first is commandUrl). */
  commandUrls: string[];
  topology: BenchTopology;
  queryUrl: string;
  baselineUrl: string;
  /** Headers every request sends: a bearer token (when JWT_SECRET is configured) and X-User-Id. */
  headers: Record<string, string>;
  organizations: string[];
  rssKb(name: ServiceName): number;
  stop(): Promise<void>;
}

const SEED_ORGANIZATIONS = Array.from({ length: 20 }, (_, index) => `org-seed-${index}`);

export function rssKbOf(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

async function dropRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * Starts what the benchmark needs: an in-memory Temporal dev server, scratch databases (migrated),
 * a Redis key prefix of its own, and the services as child processes of their built `dist/main.js`
 * (plus the bare baseline server), so each one's RSS can be read. `stop` undoes all of it.
 */
export async function startBenchStack(
  log: (line: string) => void,
  topology: BenchTopology = { commandWorkers: 1, commandApis: 1 },
): Promise<BenchStack> {
  const suffix = randomBytes(3).toString('hex');
  const { postgres: base, redis } = loadConfig(
    (reader) => ({ postgres: readPostgresConfig(reader), redis: readRedisConfig(reader) }),
    {
      DATABASE_URL: process.env.DATABASE_URL,
      EVENT_STORE_DATABASE_URL: process.env.EVENT_STORE_DATABASE_URL,
      READ_DATABASE_URL: process.env.READ_DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
    },
  );
  const postgres: PostgresConfig = {
    eventStoreDatabaseUrl: withDatabaseName(base.eventStoreDatabaseUrl, `gyro_bench_${suffix}_es`),
    readDatabaseUrl: withDatabaseName(base.readDatabaseUrl, `gyro_bench_${suffix}_read`),
    poolSize: 10,
  };
  const scratch: PostgresConfig = {
    eventStoreDatabaseUrl: withDatabaseName(base.eventStoreDatabaseUrl, `gyro_bench_${suffix}_scratch_es`),
    readDatabaseUrl: withDatabaseName(base.readDatabaseUrl, `gyro_bench_${suffix}_scratch_read`),
    poolSize: 10,
  };
  const redisPrefix = `gyro-bench:${suffix}:`;
  const jwtSecret = process.env.JWT_SECRET || `bench-secret-${randomBytes(16).toString('hex')}`;
  const services = new Map<ServiceName, ServiceProcess>();
  let temporal: TemporalDevServer | undefined;

  // Should this process die without stopping the stack, Temporal must not outlive it (SupervisedProcess
  // does the same for the services).
  const killTemporal = () => {
    if (temporal && temporal.process.exitCode === null) temporal.process.kill('SIGKILL');
  };
  process.once('exit', killTemporal);
  const stop = async () => {
    process.off('exit', killTemporal);
    await Promise.allSettled([...services.values()].map((service) => service.process.stop()));
    await temporal?.stop().catch(() => undefined);
    for (const url of [
      postgres.eventStoreDatabaseUrl,
      postgres.readDatabaseUrl,
      scratch.eventStoreDatabaseUrl,
      scratch.readDatabaseUrl,
    ]) {
      await dropDatabase(url).catch((error) =>
        log(`could not drop ${url}: ${error instanceof Error ? error.message : error}`),
      );
    }
    await dropRedisPrefix(redis.url, redisPrefix).catch(() => undefined);
  };

  try {
    log(`starting Temporal, databases gyro_bench_${suffix}_*, Redis prefix ${redisPrefix}`);
    [temporal] = await Promise.all([
      startTemporalDevServer({ headless: true, logLevel: 'error' }),
      migrateAll(postgres, () => undefined).then(() => migrateAll(scratch, () => undefined)),
    ]);
    const [commandPort, queryPort, baselinePort, ...healthPorts] = await Promise.all(
      Array.from({ length: 7 }, () => freePort()),
    );
    const extraPorts = await Promise.all(
      Array.from({ length: topology.commandWorkers - 1 + topology.commandApis - 1 }, () => freePort()),
    );
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      EVENT_STORE_DATABASE_URL: postgres.eventStoreDatabaseUrl,
      READ_DATABASE_URL: postgres.readDatabaseUrl,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redisPrefix,
      TEMPORAL_ADDRESS: temporal.address,
      MIGRATE_ON_START: 'false',
      LOG_LEVEL: 'warn',
      JWT_SECRET: jwtSecret,
      COMMAND_API_PORT: String(commandPort),
      QUERY_API_PORT: String(queryPort),
      COMMAND_WORKER_HEALTH_PORT: String(healthPorts[0]),
      PROJECTION_WORKER_HEALTH_PORT: String(healthPorts[1]),
      QUERY_WORKER_HEALTH_PORT: String(healthPorts[2]),
      BASELINE_PORT: String(baselinePort),
    };
    const specs: {
      name: ServiceName;
      script: string;
      url?: string;
      healthUrl: string;
      env?: NodeJS.ProcessEnv;
    }[] = [
      {
        name: 'command-worker',
        script: join(ROOT, 'apps/command-worker/dist/main.js'),
        healthUrl: `http://127.0.0.1:${healthPorts[0]}/health/ready`,
      },
      {
        name: 'projection-worker',
        script: join(ROOT, 'apps/projection-worker/dist/main.js'),
        healthUrl: `http://127.0.0.1:${healthPorts[1]}/health/ready`,
      },
      {
        name: 'command-api',
        script: COMMAND_API_MAIN,
        url: `http://127.0.0.1:${commandPort}`,
        healthUrl: `http://127.0.0.1:${commandPort}/health/ready`,
      },
      {
        name: 'query-api',
        script: join(ROOT, 'apps/query-api/dist/main.js'),
        url: `http://127.0.0.1:${queryPort}`,
        healthUrl: `http://127.0.0.1:${queryPort}/health/ready`,
      },
      {
        name: 'baseline-server',
        script: join(BENCH_DIST, 'baseline-server.js'),
        url: `http://127.0.0.1:${baselinePort}`,
        healthUrl: `http://127.0.0.1:${baselinePort}/health`,
      },
    ];
    // Further instances on their own ports: they share the databases, Redis and the task queues.
    for (let instance = 2; instance <= topology.commandWorkers; instance++) {
      const port = extraPorts.pop()!;
      specs.push({
        name: `command-worker-${instance}`,
        script: join(ROOT, 'apps/command-worker/dist/main.js'),
        healthUrl: `http://127.0.0.1:${port}/health/ready`,
        env: { COMMAND_WORKER_HEALTH_PORT: String(port) },
      });
    }
    for (let instance = 2; instance <= topology.commandApis; instance++) {
      const port = extraPorts.pop()!;
      specs.push({
        name: `command-api-${instance}`,
        script: COMMAND_API_MAIN,
        url: `http://127.0.0.1:${port}`,
        healthUrl: `http://127.0.0.1:${port}/health/ready`,
        env: { COMMAND_API_PORT: String(port) },
      });
    }
    for (const spec of specs) {
      const supervised = new SupervisedProcess({
        name: spec.name,
        command: process.execPath,
        // BENCH_PROFILE_DIR=<dir>: every service writes a V8 CPU profile there when it stops;
        // BENCH_NODE_FLAGS='--flag ...': Node/V8 flags for every service (experiments, e.g. GC sizes).
        args: [
          ...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : []),
          ...(process.env.BENCH_PROFILE_DIR
            ? [
                '--cpu-prof',
                `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`,
                `--cpu-prof-name=${spec.name}.cpuprofile`,
              ]
            : []),
          spec.script,
        ],
        env: { ...env, ...spec.env },
        isReady: httpReady(spec.healthUrl),
        readyTimeoutMs: 90_000,
        stopGraceMs: 8_000,
        outputLines: 50,
      });
      services.set(spec.name, { name: spec.name, process: supervised, url: spec.url });
    }
    // Each start waits for its health route, and fails with the process's last lines when it exits or times out.
    await Promise.all([...services.values()].map((service) => service.process.start()));
    const organizations = ['org-bench', ...SEED_ORGANIZATIONS];
    const token = mintToken(jwtSecret, { sub: 'bench', orgs: organizations, ttlSeconds: 6 * 3_600 });
    log('services ready');
    return {
      suffix,
      temporal,
      postgres,
      scratch,
      redisUrl: redis.url,
      redisPrefix,
      jwtSecret,
      services,
      commandUrl: services.get('command-api')!.url!,
      commandUrls: [...services.values()]
        .filter((service) => service.name.startsWith('command-api'))
        .map((service) => service.url!),
      topology,
      queryUrl: services.get('query-api')!.url!,
      baselineUrl: services.get('baseline-server')!.url!,
      headers: { authorization: `Bearer ${token}`, 'x-user-id': 'bench' },
      organizations,
      rssKb: (name) => rssKbOf(services.get(name)?.process.pid),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
