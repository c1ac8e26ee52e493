import type { FastifyBaseLogger } from 'fastify';
import type Redis from 'ioredis';
import type { Registry } from 'prom-client';
import { TwoLevelCache, type CacheOperation } from '@gyroscops/cache';
import type { ProjectionPositionTracker } from '@gyroscops/projections';
import { cachingStage } from './caching.middleware';
import type { QueryCacheSettings } from './cache-settings';
import { l1FastPath } from './l1-fast-path';
import { loggingStage } from './logging.middleware';
import { MiddlewareQueryBus } from './middleware-query-bus';
import type { QueryBus, QueryDependencies } from './query-handler';
import { QueryTimings } from './query-timings';
import { readYourWritesStage } from './read-your-writes.middleware';
import { timingStage } from './timing.middleware';

export interface CachedQueryBusOptions {
  dependencies: QueryDependencies;
  tracker: ProjectionPositionTracker;
  consistency: { defaultWaitMs: number; maxWaitMs: number };
  /** The cache's connection: no offline queue and a short command timeout. */
  redis: Redis;
  cache: QueryCacheSettings;
  metrics: Registry;
  log: FastifyBaseLogger;
}

export interface CachedQueryBus {
  bus: QueryBus;
  cache: TwoLevelCache;
  timings: QueryTimings;
}

/** At most one warning per interval about Redis errors of the cache: an outage must not flood the logs. */
const ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * The query-api's bus: logging, then read-your-writes, then timing, then the two-level cache, then
 * the handler. Timing sits inside read-your-writes so a type's average is its execution time, not
 * the time spent waiting for projections.
 */
export function createCachedQueryBus(options: CachedQueryBusOptions): CachedQueryBus {
  const positionOf = (projections: readonly string[]) => options.tracker.positionOf(projections);
  let lastWarning = 0;
  let suppressed = 0;
  const onError = (error: unknown, operation: CacheOperation) => {
    const now = Date.now();
    if (now - lastWarning < ERROR_LOG_INTERVAL_MS) {
      suppressed += 1;
      return;
    }
    options.log.warn({ err: error, operation, suppressed }, 'cache: Redis call failed, serving from L1 and Postgres');
    lastWarning = now;
    suppressed = 0;
  };
  const cache = new TwoLevelCache({
    redis: options.redis,
    keyPrefix: options.cache.keyPrefix,
    l1: { maxEntries: options.cache.l1MaxEntries, maxBytes: options.cache.l1MaxBytes, ttlMs: options.cache.l1TtlMs },
    defaultTtlSeconds: options.cache.l2TtlSeconds,
    metrics: options.metrics,
    onError,
  });
  const timings = new QueryTimings(options.metrics);
  const stages = [
    loggingStage(),
    readYourWritesStage({ tracker: options.tracker, ...options.consistency }),
    timingStage(timings),
    cachingStage(cache, positionOf),
  ];
  return {
    bus: new MiddlewareQueryBus(stages, options.dependencies, positionOf, l1FastPath(cache, timings)),
    cache,
    timings,
  };
}
