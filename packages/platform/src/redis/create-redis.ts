import Redis, { type RedisOptions } from 'ioredis';
import type { RedisConfig } from '../config/platform-config';

export interface RedisConnectionOptions {
  /** Shown in CLIENT LIST, and in logs. */
  name: string;
  /** Fail a command after this long instead of waiting for a slow or absent Redis. */
  commandTimeoutMs?: number;
  /** A subscriber needs the offline queue (it re-subscribes on reconnect); a cache must not wait. */
  offlineQueue?: boolean;
  onError?: (error: Error) => void;
}

/**
 * An ioredis client tuned so Redis trouble costs milliseconds, not seconds: no offline queue by
 * default, one retry per request, a command timeout, and endless capped reconnects in the background.
 * Keys are NOT prefixed here: callers build keys with the configured prefix, so channel names
 * (which ioredis never prefixes) and keys follow one rule.
 */
export function createRedis(config: RedisConfig, options: RedisConnectionOptions): Redis {
  const redisOptions: RedisOptions = {
    connectionName: options.name,
    lazyConnect: false,
    enableOfflineQueue: options.offlineQueue ?? false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 250,
    connectTimeout: 2_000,
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2_000),
  };
  const redis = new Redis(config.url, redisOptions);
  redis.on('error', options.onError ?? (() => undefined));
  return redis;
}
