/** How the query cache is sized and how long its entries live; config.ts reads them from the environment. */
export interface QueryCacheSettings {
  /** Keys and the invalidation channel live under it (REDIS_KEY_PREFIX). */
  keyPrefix: string;
  l1MaxEntries: number;
  /** Approximate bytes (JSON size of the entries). */
  l1MaxBytes: number;
  l1TtlMs: number;
  /** L2 time to live of query types that do not set their own. */
  l2TtlSeconds: number;
}

export const DEFAULT_CACHE_SETTINGS: Omit<QueryCacheSettings, 'keyPrefix'> = {
  l1MaxEntries: 10_000,
  l1MaxBytes: 50 * 1024 * 1024,
  // Short: L1 is dropped by announcements, the TTL only bounds staleness when one is lost.
  l1TtlMs: 30_000,
  l2TtlSeconds: 300,
};
