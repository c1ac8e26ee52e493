import { loadConfig, readHttpConfig, readLogConfig, readPostgresConfig, readRedisConfig, type Env } from '@gyroscops/platform';

/** Everything the query-api reads from its environment, validated once and frozen. */
export function readQueryApiConfig(env: Env = process.env) {
  return loadConfig(
    (reader) => ({
      http: readHttpConfig(reader, 'QUERY_API_PORT', 3001),
      postgres: readPostgresConfig(reader),
      redis: readRedisConfig(reader),
      log: readLogConfig(reader),
      consistency: {
        defaultWaitMs: reader.integer('READ_YOUR_WRITES_DEFAULT_WAIT_MS', 2_000, { min: 0, max: 10_000 }),
        maxWaitMs: reader.integer('READ_YOUR_WRITES_MAX_WAIT_MS', 10_000, { min: 0, max: 60_000 }),
      },
    }),
    env,
  );
}
export type QueryApiConfig = ReturnType<typeof readQueryApiConfig>;
