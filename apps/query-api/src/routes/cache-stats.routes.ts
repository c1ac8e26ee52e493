import { Type, type Static } from '@sinclair/typebox';
import type { TwoLevelCache } from '@gyroscops/cache';
import { authenticatedProblems, type HttpApp } from '@gyroscops/platform';
import type { QueryTimings } from '../query-bus/query-timings';

const Count = Type.Integer({ minimum: 0 });
const Timing = Type.Object({
  count: Count,
  averageMs: Type.Number({ minimum: 0, description: 'Average execution time in milliseconds.' }),
});

/** The answer of GET /cache/stats: this instance's counters since it started. */
export const CacheStatsSchema = Type.Object(
  {
    l1: Type.Object({
      hits: Count,
      misses: Count,
      entries: Count,
      bytes: Type.Integer({ minimum: 0, description: 'Approximate.' }),
    }),
    l2: Type.Object({
      hits: Count,
      misses: Count,
      errors: Type.Integer({ minimum: 0, description: 'Redis calls that failed or timed out.' }),
      bypassed: Type.Integer({
        minimum: 0,
        description: 'Lookups that skipped Redis because its connection was down.',
      }),
    }),
    hitRate: Type.Number({ minimum: 0, maximum: 1, description: 'Lookups answered from L1 or L2, over all lookups.' }),
    invalidations: Type.Integer({ minimum: 0, description: 'Invalidations received from projection announcements.' }),
    invalidatedEntries: Type.Integer({ minimum: 0, description: 'L1 entries those invalidations dropped.' }),
    flushes: Type.Integer({ minimum: 0, description: 'Whole-L1 flushes (the announcement subscriber reconnected).' }),
    coalesced: Type.Integer({
      minimum: 0,
      description: 'Misses that joined a load already in flight (single flight).',
    }),
    errors: Type.Integer({ minimum: 0, description: 'Same as l2.errors.' }),
    queries: Type.Record(
      Type.String(),
      Type.Object({
        count: Count,
        averageMs: Type.Number({ minimum: 0 }),
        bySource: Type.Object({ l1: Type.Optional(Timing), l2: Type.Optional(Timing), db: Type.Optional(Timing) }),
      }),
      {
        description:
          'Execution time per query type (without the read-your-writes wait), overall and by where the answer came from.',
      },
    ),
  },
  { additionalProperties: false },
);
export type CacheStatsBody = Static<typeof CacheStatsSchema>;

/** `GET /cache/stats`: hits, misses, hit rate and invalidations of this instance's cache, and query timings. */
export function registerCacheStatsRoutes(app: HttpApp, deps: { cache: TwoLevelCache; timings: QueryTimings }): void {
  app.get(
    '/cache/stats',
    {
      schema: {
        tags: ['cache'],
        operationId: 'getCacheStats',
        summary: 'Query cache statistics of this instance',
        response: {
          200: { ...CacheStatsSchema, description: 'Counters of this instance since it started' },
          ...authenticatedProblems(),
        },
      },
    },
    async (): Promise<CacheStatsBody> => ({ ...deps.cache.stats(), queries: deps.timings.snapshot() }),
  );
}
