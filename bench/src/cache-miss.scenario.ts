import Redis from 'ioredis';
import { invalidateTags, tagsOfChanges } from '@gyroscops/cache';
import { PROJECTIONS } from '@gyroscops/contracts';
import { announcementMessage, EVERYTHING_CHANGED } from '@gyroscops/projections';
import { httpLoad, interleaved, measure } from './harness';
import type { Scenario } from './scenario';
import type { BenchStack } from './stack';

interface CacheCounts {
  l1: { hits: number };
  l2: { hits: number };
}

async function cacheCounts(stack: BenchStack): Promise<CacheCounts> {
  const response = await fetch(`${stack.queryUrl}/cache/stats`, { headers: stack.headers });
  if (!response.ok) throw new Error(`GET /cache/stats answered ${response.status}`);
  return (await response.json()) as CacheCounts;
}

/**
 * Makes every cached payment view stale, as a rebuild's swap does: the payment tag family is bumped
 * in Redis (L2) and announced, so the query-api drops its L1 entries too. Position 0: the
 * announcement moves no read-your-writes position.
 */
async function forgetCachedPaymentViews(redis: Redis, prefix: string): Promise<void> {
  const announcement = { projection: PROJECTIONS.payments, position: '0', changes: EVERYTHING_CHANGED };
  await invalidateTags(
    redis,
    prefix,
    tagsOfChanges(PROJECTIONS.payments, EVERYTHING_CHANGED),
    announcementMessage(prefix, announcement),
  );
}

/**
 * `GET /payments/{id}` missing both cache levels, vs a bare Fastify route running the same
 * primary-key SELECT with pg. Before each round on the real route every cached payment view is made
 * stale, and the round asks for each seeded id at most once; the query-api's own cache counters
 * over the rounds show whether any request was a hit after all.
 */
export const cacheMissScenario: Scenario = {
  name: 'GET /payments/{id}, cache miss',
  async run({ stack, sizes, paymentIds }) {
    const redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: 1 });
    try {
      let ids: string[] = [];
      let nextReal = 0;
      let nextBaseline = 0;
      let requests = 0;
      let exhausted = false;
      const hits = { l1: 0, l2: 0 };
      const common = { connections: 10, duration: sizes.durationSec, headers: stack.headers };
      const runs = await interleaved(
        sizes.rounds,
        async () => {
          ids = [...paymentIds].sort(() => Math.random() - 0.5);
          nextReal = 0;
          await forgetCachedPaymentViews(redis, stack.redisPrefix);
          const before = await cacheCounts(stack);
          const run = await httpLoad({
            ...common,
            url: stack.queryUrl,
            requests: [
              {
                method: 'GET',
                setupRequest: (request) => {
                  if (nextReal >= ids.length) exhausted = true;
                  return { ...request, path: `/payments/${ids[nextReal++ % ids.length]}` };
                },
              },
            ],
          });
          const after = await cacheCounts(stack);
          hits.l1 += after.l1.hits - before.l1.hits;
          hits.l2 += after.l2.hits - before.l2.hits;
          requests += nextReal;
          return run;
        },
        () =>
          httpLoad({
            ...common,
            url: stack.baselineUrl,
            requests: [
              {
                method: 'GET',
                setupRequest: (request) => ({
                  ...request,
                  path: `/row/${paymentIds[nextBaseline++ % paymentIds.length]}`,
                }),
              },
            ],
          }),
      );
      const scenario = this.name;
      const failures = [...runs.subject, ...runs.baseline].reduce((sum, run) => sum + run.non2xx + run.errors, 0);
      return {
        measures: [
          measure({
            scenario,
            metric: 'throughput',
            unit: 'req/s',
            values: runs.subject.map((r) => r.rps),
            baselines: runs.baseline.map((r) => r.rps),
            target: '≥ 0.7×',
            check: (_v, ratio) => ratio !== null && ratio >= 0.7,
          }),
          measure({
            scenario,
            metric: 'p99 latency',
            unit: 'ms',
            values: runs.subject.map((r) => r.p99),
            baselines: runs.baseline.map((r) => r.p99),
          }),
        ],
        notes: [
          `${paymentIds.length} seeded payments; before each of the ${runs.subject.length} rounds on the real route every cached view was made stale (the payment tag family, as a rebuild's swap does)${exhausted ? ', but a round asked for more ids than were seeded' : ', and no id was asked twice in a round'}`,
          `query-api cache counters over those rounds: ${requests} requests, ${hits.l1} L1 hits, ${hits.l2} L2 hits`,
          ...(failures > 0 ? [`${failures} non-2xx or failed requests`] : []),
        ],
      };
    } finally {
      redis.disconnect();
    }
  },
};
