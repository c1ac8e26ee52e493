import { httpLoad, interleaved, measure } from './harness';
import type { Scenario } from './scenario';

const ORGANIZATIONS = 20;
const PAGE_SIZE = 20;

/** A search no earlier request asked for: a seeded organization, EUR, and a random lower amount bound. */
function randomSearch(): { organizationId: string; minAmountMinor: number } {
  return {
    organizationId: `org-seed-${Math.floor(Math.random() * ORGANIZATIONS)}`,
    minAmountMinor: 100 + Math.floor(Math.random() * 90_000),
  };
}

const major = (minor: number) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;

/**
 * `GET /payments` search, first page of 20 with its total, vs a bare Fastify route running the same
 * page SELECT and count with pg. Every request draws new filters (organization × lower amount bound),
 * so the real route pays for its cache misses and write-backs instead of answering from L1.
 */
export const searchScenario: Scenario = {
  name: 'GET /payments search, one page',
  async run({ stack, sizes }) {
    const common = { connections: 10, duration: sizes.durationSec, headers: stack.headers };
    let realRequests = 0;
    const runs = await interleaved(
      sizes.rounds,
      () =>
        httpLoad({
          ...common,
          url: stack.queryUrl,
          requests: [
            {
              method: 'GET',
              setupRequest: (request) => {
                realRequests++;
                const { organizationId, minAmountMinor } = randomSearch();
                return {
                  ...request,
                  path: `/payments?organizationId=${organizationId}&currency=EUR&minAmount=${major(minAmountMinor)}&limit=${PAGE_SIZE}`,
                };
              },
            },
          ],
        }),
      () =>
        httpLoad({
          ...common,
          url: stack.baselineUrl,
          requests: [
            {
              method: 'GET',
              setupRequest: (request) => {
                const { organizationId, minAmountMinor } = randomSearch();
                return {
                  ...request,
                  path: `/search?organizationId=${organizationId}&currency=EUR&minAmountMinor=${minAmountMinor}&limit=${PAGE_SIZE}`,
                };
              },
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
          target: '≥ 0.6×',
          check: (_v, ratio) => ratio !== null && ratio >= 0.6,
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
        `${realRequests} searches on the real route, each a fresh organization × lower-bound pair (cache misses); page of ${PAGE_SIZE} and total, sorted by createdAt desc`,
        ...(failures > 0 ? [`${failures} non-2xx or failed requests`] : []),
      ],
    };
  },
};
