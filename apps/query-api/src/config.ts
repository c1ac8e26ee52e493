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
import { DEFAULT_CACHE_SETTINGS } from './query-bus/cache-settings';

/** Everything the query-api reads from its environment, validated once and frozen. */
export function readQueryApiConfig(env: Env = process.env) {
  return loadConfig((reader) => {
    const redis = readRedisConfig(reader);
    return {
      http: readHttpConfig(reader, 'QUERY_API_PORT', 3001),
      postgres: readPostgresConfig(reader),
      redis: {
        ...redis,
        /** For the cache's connection; the subscriber waits longer (it has nothing to fall back on). */
        commandTimeoutMs: readRedisCommandTimeoutMs(reader),
      },
      log: readLogConfig(reader),
      auth: readAuthConfig(reader),
      hardening: readHttpHardeningConfig(reader),
      shutdown: readShutdownConfig(reader),
      temporal: readTemporalConfig(reader),
      consistency: {
        defaultWaitMs: reader.integer('READ_YOUR_WRITES_DEFAULT_WAIT_MS', 2_000, { min: 0, max: 10_000 }),
        maxWaitMs: reader.integer('READ_YOUR_WRITES_MAX_WAIT_MS', 10_000, { min: 0, max: 60_000 }),
      },
      cache: {
        keyPrefix: redis.keyPrefix,
        l1MaxEntries: reader.integer('CACHE_L1_MAX_ENTRIES', DEFAULT_CACHE_SETTINGS.l1MaxEntries, {
          min: 1,
          max: 10_000_000,
        }),
        l1MaxBytes: reader.integer('CACHE_L1_MAX_BYTES', DEFAULT_CACHE_SETTINGS.l1MaxBytes, {
          min: 1_024,
          max: 64 * 1024 ** 3,
        }),
        l1TtlMs: reader.integer('CACHE_L1_TTL_MS', DEFAULT_CACHE_SETTINGS.l1TtlMs, { min: 1, max: 86_400_000 }),
        l2TtlSeconds: reader.integer('CACHE_L2_TTL_SECONDS', DEFAULT_CACHE_SETTINGS.l2TtlSeconds, {
          min: 1,
          max: 7 * 86_400,
        }),
      },
    };
  }, env);
}
export type QueryApiConfig = ReturnType<typeof readQueryApiConfig>;
