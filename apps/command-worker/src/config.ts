import {
  loadConfig,
  readLogConfig,
  readPostgresConfig,
  readShutdownConfig,
  readTemporalConfig,
  type Env,
} from '@gyroscops/platform';

/** Everything the command worker reads from its environment, validated once and frozen. */
export function readCommandWorkerConfig(env: Env = process.env) {
  return loadConfig(
    (reader) => ({
      postgres: readPostgresConfig(reader),
      temporal: readTemporalConfig(reader),
      log: readLogConfig(reader),
      shutdown: readShutdownConfig(reader),
      health: {
        host: reader.string('HOST', '127.0.0.1'),
        port: reader.integer('COMMAND_WORKER_HEALTH_PORT', 3010, { min: 0, max: 65535 }),
      },
      gateway: reader.oneOf('PAYMENT_GATEWAY', ['simulated'] as const, 'simulated'),
      maxConcurrentActivities: reader.integer('COMMAND_WORKER_MAX_CONCURRENT_ACTIVITIES', 100, { min: 1, max: 10_000 }),
      migrateOnStart: reader.boolean('MIGRATE_ON_START', true),
    }),
    env,
  );
}
export type CommandWorkerConfig = ReturnType<typeof readCommandWorkerConfig>;
