import { EnvReader, type Env } from './env-reader';

// The Temporal connection's variables are read beside the code that connects.
export { readTemporalConfig, type TemporalConfig } from '../temporal/temporal-config';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/gyroscops';
const POSTGRES = ['postgres:', 'postgresql:'];

export interface PostgresConfig {
  eventStoreDatabaseUrl: string;
  readDatabaseUrl: string;
  poolSize: number;
}
export interface RedisConfig {
  url: string;
  keyPrefix: string;
}
export interface LogConfig {
  level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  pretty: boolean;
}

/** DATABASE_URL, EVENT_STORE_DATABASE_URL and READ_DATABASE_URL; the two last default to the first. */
export function readPostgresConfig(reader: EnvReader): PostgresConfig {
  const databaseUrl = reader.url('DATABASE_URL', DEFAULT_DATABASE_URL, POSTGRES);
  return {
    eventStoreDatabaseUrl: reader.url('EVENT_STORE_DATABASE_URL', databaseUrl, POSTGRES),
    readDatabaseUrl: reader.url('READ_DATABASE_URL', databaseUrl, POSTGRES),
    poolSize: reader.integer('PG_POOL_SIZE', 10, { min: 1, max: 200 }),
  };
}

export function readRedisConfig(reader: EnvReader): RedisConfig {
  return {
    url: reader.url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    keyPrefix: reader.string('REDIS_KEY_PREFIX', 'gyroscops:'),
  };
}

/** Low tens of milliseconds: past that, an API serves from Postgres (cache) or lets the request through (rate limit). */
const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 25;

/** REDIS_COMMAND_TIMEOUT_MS: how long an API waits for one Redis command before doing without it. */
export function readRedisCommandTimeoutMs(reader: EnvReader): number {
  return reader.integer('REDIS_COMMAND_TIMEOUT_MS', DEFAULT_REDIS_COMMAND_TIMEOUT_MS, { min: 1, max: 10_000 });
}

export function readLogConfig(reader: EnvReader): LogConfig {
  return {
    level: reader.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    pretty: reader.boolean('LOG_PRETTY', false),
  };
}

export function readHttpConfig(reader: EnvReader, portVariable: string, defaultPort: number) {
  return {
    host: reader.string('HOST', '127.0.0.1'),
    port: reader.integer(portVariable, defaultPort, { min: 0, max: 65535 }),
  };
}

/** Reads a config with `build`, throws every problem at once, and freezes the result deeply. */
export function loadConfig<T extends object>(build: (reader: EnvReader) => T, env: Env = process.env): Readonly<T> {
  const reader = new EnvReader(env);
  const config = build(reader);
  reader.done();
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const nested of Object.values(value)) deepFreeze(nested);
    Object.freeze(value);
  }
  return value;
}
