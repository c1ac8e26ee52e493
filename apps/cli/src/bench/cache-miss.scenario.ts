import { httpLoad, interleaved, measure } from './harness';
import type { Scenario } from './scenario';

/**
 * `GET /payments/{id}` missing both cache levels: every request asks for a payment not asked for
 * before in the run (ids taken in turn from the seeded ones), vs a bare Fastify route running the
 * same primary-key SELECT with pg.
 */
export const cacheMissScenario: Scenario = {
  name: 'GET /payments/{id}, cache miss',
  async run({ stack, sizes, paymentIds }) {
    const ids = [...paymentIds].sort(() => Math.random() - 0.5);
    let nextReal = 0;
    let nextBaseline = 0;
    const common = { connections: 10, duration: sizes.durationSec, headers: stack.headers };
    const runs = await interleaved(
      sizes.rounds,
      () =>
        httpLoad({
          ...common,
          url: stack.queryUrl,
          requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: `/payments/${ids[nextReal++ % ids.length]}` }) }],
        }),
      () =>
        httpLoad({
          ...common,
          url: stack.baselineUrl,
          requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: `/row/${ids[nextBaseline++ % ids.length]}` }) }],
        }),
    );
    const scenario = this.name;
    const reused = Math.max(0, nextReal - ids.length);
    const failures = [...runs.subject, ...runs.baseline].reduce((sum, run) => sum + run.non2xx + run.errors, 0);
    return {
      measures: [
        measure({ scenario, metric: 'throughput', unit: 'req/s', values: runs.subject.map((r) => r.rps), baselines: runs.baseline.map((r) => r.rps), target: '≥ 0.7×', check: (_v, ratio) => ratio !== null && ratio >= 0.7 }),
        measure({ scenario, metric: 'p99 latency', unit: 'ms', values: runs.subject.map((r) => r.p99), baselines: runs.baseline.map((r) => r.p99) }),
      ],
      notes: [
        `${ids.length} seeded payments, ${nextReal} requests on the real route: ${reused === 0 ? 'every one a first request for its id' : `${reused} asked again for an id (possible cache hits)`}`,
        ...(failures > 0 ? [`${failures} non-2xx or failed requests`] : []),
      ],
    };
  },
};
