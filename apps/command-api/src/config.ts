import {
  loadConfig,
  readAuthConfig,
  readHttpConfig,
  readHttpHardeningConfig,
  readLogConfig,
  readPostgresConfig,
  readRedisCommandTimeoutMs,
  readRedisConfig,
  readShutdownConfig,
  readTemporalConfig,
  type Env,
} from '@gyroscops/platform';

/** Everything the command-api reads from its environment, validated once and frozen. */
export function readCommandApiConfig(env: Env = process.env) {
  return loadConfig(
    (reader) => ({
      http: readHttpConfig(reader, 'COMMAND_API_PORT', 3000),
      postgres: readPostgresConfig(reader),
      temporal: readTemporalConfig(reader),
      log: readLogConfig(reader),
      auth: readAuthConfig(reader),
      /** Rate-limit counters, shared by every command-api instance. */
      redis: {
        ...readRedisConfig(reader),
        // Rate-limit counters only: past this a Redis call is abandoned and the request let through (fail open).
        commandTimeoutMs: readRedisCommandTimeoutMs(reader),
      },
      hardening: readHttpHardeningConfig(reader),
      shutdown: readShutdownConfig(reader),
      commands: {
        /** How long a synchronous command waits for its workflow before answering 202 with a Location. */
        resultTimeoutMs: reader.integer('COMMAND_RESULT_TIMEOUT_MS', 25_000, { min: 100, max: 120_000 }),
        /** How long an Idempotency-Key is remembered (at least 24 h by contract). */
        idempotencyTtlHours: reader.integer('IDEMPOTENCY_TTL_HOURS', 48, { min: 24, max: 24 * 365 }),
      },
      migrateOnStart: reader.boolean('MIGRATE_ON_START', true),
    }),
    env,
  );
}
export type CommandApiConfig = ReturnType<typeof readCommandApiConfig>;
