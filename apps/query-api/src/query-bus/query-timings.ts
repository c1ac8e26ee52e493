import { Histogram, type Registry } from 'prom-client';
import type { CacheSource } from '@gyroscops/cache';

interface Totals {
  count: number;
  totalMs: number;
}

export interface QueryTimingSnapshot {
  count: number;
  averageMs: number;
  bySource: Partial<Record<CacheSource, { count: number; averageMs: number }>>;
}

const average = (totals: Totals) =>
  totals.count === 0 ? 0 : Math.round((totals.totalMs / totals.count) * 1_000) / 1_000;

/**
 * Execution time per query type and source: the Prometheus histogram
 * `query_duration_seconds{type,source}` and in-memory averages for GET /cache/stats.
 */
export class QueryTimings {
  private readonly histogram: Histogram<'type' | 'source'>;
  private readonly totals = new Map<string, { all: Totals; bySource: Map<CacheSource, Totals> }>();

  constructor(registry: Registry) {
    this.histogram = new Histogram({
      name: 'query_duration_seconds',
      help: 'Query execution time by query type and where the answer came from (l1, l2, db)',
      labelNames: ['type', 'source'] as const,
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
  }

  observe(type: string, source: CacheSource, ms: number): void {
    this.histogram.observe({ type, source }, ms / 1_000);
    let totals = this.totals.get(type);
    if (!totals) this.totals.set(type, (totals = { all: { count: 0, totalMs: 0 }, bySource: new Map() }));
    let bySource = totals.bySource.get(source);
    if (!bySource) totals.bySource.set(source, (bySource = { count: 0, totalMs: 0 }));
    for (const sum of [totals.all, bySource]) {
      sum.count += 1;
      sum.totalMs += ms;
    }
  }

  snapshot(): Record<string, QueryTimingSnapshot> {
    const snapshot: Record<string, QueryTimingSnapshot> = {};
    for (const [type, totals] of this.totals) {
      const bySource: QueryTimingSnapshot['bySource'] = {};
      for (const [source, sum] of totals.bySource) bySource[source] = { count: sum.count, averageMs: average(sum) };
      snapshot[type] = { count: totals.all.count, averageMs: average(totals.all), bySource };
    }
    return snapshot;
  }
}
