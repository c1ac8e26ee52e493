import {
  loadConfig,
  readLogConfig,
  readPostgresConfig,
  readShutdownConfig,
  readTemporalConfig,
  type Env,
} from '@gyroscops/platform';

/** Everything the query worker reads from its environment, validated once and frozen. */
export function readQueryWorkerConfig(env: Env = process.env) {
  return loadConfig(
    (reader) => ({
      postgres: readPostgresConfig(reader),
      temporal: readTemporalConfig(reader),
      log: readLogConfig(reader),
      shutdown: readShutdownConfig(reader),
      health: {
        host: reader.string('HOST', '127.0.0.1'),
        port: reader.integer('QUERY_WORKER_HEALTH_PORT', 3012, { min: 0, max: 65535 }),
      },
    }),
    env,
  );
}
