import { Counter, type Registry } from 'prom-client';

export type CacheLevel = 'l1' | 'l2';
/** What a failed Redis call was doing. */
export type CacheOperation = 'read' | 'write';

/** The counters behind GET /cache/stats. */
export interface CacheStatsSnapshot {
  l1: { hits: number; misses: number; entries: number; bytes: number };
  l2: { hits: number; misses: number; errors: number; bypassed: number };
  /** Lookups served from L1 or L2, over all lookups; 0 before the first lookup. */
  hitRate: number;
  /** Invalidations received (one per projection announcement, or per local call). */
  invalidations: number;
  /** L1 entries those invalidations dropped. */
  invalidatedEntries: number;
  /** Whole-L1 flushes (subscriber reconnects). */
  flushes: number;
  /** Misses that joined a load already in flight for the same key (single flight). */
  coalesced: number;
  /** Redis calls that failed or timed out (same as l2.errors). */
  errors: number;
}

/**
 * Counts hits, misses, invalidations and Redis errors, in memory for /cache/stats and, when given a
 * registry, as Prometheus counters (`cache_hits_total{level,type}`, `cache_misses_total{level,type}`,
 * `cache_invalidations_total`, `cache_errors_total{operation}`).
 */
export class CacheStats {
  private readonly counts = {
    l1Hits: 0,
    l1Misses: 0,
    l2Hits: 0,
    l2Misses: 0,
    errors: 0,
    bypassed: 0,
    invalidations: 0,
    invalidatedEntries: 0,
    flushes: 0,
    coalesced: 0,
  };
  private readonly hits: Counter<'level' | 'type'>;
  private readonly misses: Counter<'level' | 'type'>;
  private readonly invalidationCounter: Counter;
  private readonly errorCounter: Counter<'operation'>;

  constructor(registry?: Registry) {
    const registers = registry ? [registry] : [];
    this.hits = new Counter({
      name: 'cache_hits_total',
      help: 'Query cache hits by level and query type',
      labelNames: ['level', 'type'] as const,
      registers,
    });
    this.misses = new Counter({
      name: 'cache_misses_total',
      help: 'Query cache misses by level and query type',
      labelNames: ['level', 'type'] as const,
      registers,
    });
    this.invalidationCounter = new Counter({
      name: 'cache_invalidations_total',
      help: 'Tag invalidations applied to L1',
      registers,
    });
    this.errorCounter = new Counter({
      name: 'cache_errors_total',
      help: 'Redis calls of the cache that failed or timed out',
      labelNames: ['operation'] as const,
      registers,
    });
  }

  hit(level: CacheLevel, type: string): void {
    if (level === 'l1') this.counts.l1Hits += 1;
    else this.counts.l2Hits += 1;
    this.hits.inc({ level, type });
  }

  miss(level: CacheLevel, type: string): void {
    if (level === 'l1') this.counts.l1Misses += 1;
    else this.counts.l2Misses += 1;
    this.misses.inc({ level, type });
  }

  error(operation: CacheOperation): void {
    this.counts.errors += 1;
    this.errorCounter.inc({ operation });
  }

  /** L2 skipped because the connection was not ready (no command sent, no time lost). */
  bypass(): void {
    this.counts.bypassed += 1;
  }

  invalidation(droppedEntries: number): void {
    this.counts.invalidations += 1;
    this.counts.invalidatedEntries += droppedEntries;
    this.invalidationCounter.inc();
  }

  flush(): void {
    this.counts.flushes += 1;
  }

  coalesce(): void {
    this.counts.coalesced += 1;
  }

  snapshot(l1: { entries: number; bytes: number }): CacheStatsSnapshot {
    const { l1Hits, l1Misses, l2Hits, l2Misses } = this.counts;
    const lookups = l1Hits + l1Misses;
    return {
      l1: { hits: l1Hits, misses: l1Misses, ...l1 },
      l2: { hits: l2Hits, misses: l2Misses, errors: this.counts.errors, bypassed: this.counts.bypassed },
      hitRate: lookups === 0 ? 0 : (l1Hits + l2Hits) / lookups,
      invalidations: this.counts.invalidations,
      invalidatedEntries: this.counts.invalidatedEntries,
      flushes: this.counts.flushes,
      coalesced: this.counts.coalesced,
      errors: this.counts.errors,
    };
  }
}
