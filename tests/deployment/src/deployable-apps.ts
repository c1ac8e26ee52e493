import { readCommandApiConfig } from '@gyroscops/command-api';
import { readCommandWorkerConfig } from '@gyroscops/command-worker';
import { loadConfig, otlpTracesEndpoint, readPostgresConfig, type Env } from '@gyroscops/platform';
import { readProjectionWorkerConfig } from '@gyroscops/projection-worker';
import { readQueryApiConfig } from '@gyroscops/query-api';
import { readQueryWorkerConfig } from '@gyroscops/query-worker';

/** An app that ships as an image: its config reader is the truth its deployment files are checked against. */
export interface DeployableApp {
  name: 'command-api' | 'query-api' | 'command-worker' | 'projection-worker' | 'query-worker' | 'cli';
  /** api: serves HTTP; worker: a Temporal worker serving only health and metrics; job: runs once (migrate). */
  kind: 'api' | 'worker' | 'job';
  /** Reads the app's whole configuration from `env`, as the app does at start-up (throws a ConfigError). */
  readConfig(env: Env): unknown;
  /** The port the app listens on under `env` (APIs: HTTP; workers: health and metrics). */
  portOf?(env: Env): number;
  /** The variable that moves that port. */
  portVariable?: string;
}

/**
 * A service's whole start-up reading: its config reader, then tracing, which every service's main
 * starts first (`startTracing`) from the standard OTEL_* variables rather than through the reader.
 */
const withTracing =
  (readConfig: (env: Env) => unknown) =>
  (env: Env): unknown => {
    const config = readConfig(env);
    otlpTracesEndpoint(env as NodeJS.ProcessEnv);
    return config;
  };

export const DEPLOYABLE_APPS: readonly DeployableApp[] = [
  {
    name: 'command-api',
    kind: 'api',
    readConfig: withTracing(readCommandApiConfig),
    portOf: (env) => readCommandApiConfig(env).http.port,
    portVariable: 'COMMAND_API_PORT',
  },
  {
    name: 'query-api',
    kind: 'api',
    readConfig: withTracing(readQueryApiConfig),
    portOf: (env) => readQueryApiConfig(env).http.port,
    portVariable: 'QUERY_API_PORT',
  },
  {
    name: 'command-worker',
    kind: 'worker',
    readConfig: withTracing(readCommandWorkerConfig),
    portOf: (env) => readCommandWorkerConfig(env).health.port,
    portVariable: 'COMMAND_WORKER_HEALTH_PORT',
  },
  {
    name: 'projection-worker',
    kind: 'worker',
    readConfig: withTracing(readProjectionWorkerConfig),
    portOf: (env) => readProjectionWorkerConfig(env).health.port,
    portVariable: 'PROJECTION_WORKER_HEALTH_PORT',
  },
  {
    name: 'query-worker',
    kind: 'worker',
    readConfig: withTracing(readQueryWorkerConfig),
    portOf: (env) => readQueryWorkerConfig(env).health.port,
    portVariable: 'QUERY_WORKER_HEALTH_PORT',
  },
  // `node dist/main.js migrate` reads only the Postgres settings (apps/cli/src/commands/migrate.command.ts).
  { name: 'cli', kind: 'job', readConfig: (env) => loadConfig(readPostgresConfig, env) },
];

/** The long-running services (every app but the migrate job). */
export const SERVICES = DEPLOYABLE_APPS.filter((app) => app.kind !== 'job');

/** The APIs refuse to start without a key: the smallest environment any service starts with. */
export const MINIMAL_ENV: Env = { JWT_SECRET: 'a-test-secret-of-at-least-32-characters' };

/** What reading an app's configuration from an environment did: the names it looked at, and the error it raised. */
export interface ConfigRead {
  namesRead: Set<string>;
  error?: Error;
}

/** Runs the app's config reader on `env`, recording every variable name it looks up. */
export function readConfigRecordingNames(app: DeployableApp, env: Env): ConfigRead {
  const namesRead = new Set<string>();
  const recording = new Proxy(env, {
    get(target, name) {
      if (typeof name === 'string') namesRead.add(name);
      return Reflect.get(target, name) as unknown;
    },
  });
  try {
    app.readConfig(recording);
    return { namesRead };
  } catch (error) {
    return { namesRead, error: error as Error };
  }
}
