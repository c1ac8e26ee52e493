export * from './two-level-cache';
export * from './invalidate-tags';
export * from './flush-on-reconnect';
export * from './cache-keys';
export * from './canonical-json';
export type { CacheStatsSnapshot, CacheLevel, CacheOperation } from './cache-stats';
