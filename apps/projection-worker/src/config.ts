import {
  loadConfig,
  readLogConfig,
  readPostgresConfig,
  readShutdownConfig,
  readRedisConfig,
  readTemporalConfig,
  type Env,
} from '@gyroscops/platform';

/** Everything the projection worker reads from its environment, validated once and frozen. */
export function readProjectionWorkerConfig(env: Env = process.env) {
  return loadConfig(
    (reader) => ({
      postgres: readPostgresConfig(reader),
      redis: readRedisConfig(reader),
      temporal: readTemporalConfig(reader),
      log: readLogConfig(reader),
      shutdown: readShutdownConfig(reader),
      health: {
        host: reader.string('HOST', '127.0.0.1'),
        port: reader.integer('PROJECTION_WORKER_HEALTH_PORT', 3011, { min: 0, max: 65535 }),
      },
      batchSize: reader.integer('PROJECTION_BATCH_SIZE', 500, { min: 1, max: 50_000 }),
      rebuildBatchSize: reader.integer('PROJECTION_REBUILD_BATCH_SIZE', 5_000, { min: 1, max: 100_000 }),
      migrateOnStart: reader.boolean('MIGRATE_ON_START', true),
    }),
    env,
  );
}
export type ProjectionWorkerConfig = ReturnType<typeof readProjectionWorkerConfig>;
