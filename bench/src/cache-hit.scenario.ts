import Redis from 'ioredis';
import { httpLoad, interleaved, measure } from './harness';
import type { Scenario } from './scenario';

/** `GET /payments/{id}` served from the cache vs a bare Fastify route answering one Redis GET. */
export const cacheHitScenario: Scenario = {
  name: 'GET /payments/{id}, cache hit',
  async run({ stack, sizes, paymentIds }) {
    const id = paymentIds[0]!;
    const response = await fetch(`${stack.queryUrl}/payments/${id}`, { headers: stack.headers });
    if (!response.ok) throw new Error(`GET /payments/${id} answered ${response.status}: ${await response.text()}`);
    const body = await response.text();
    const redis = new Redis(stack.redisUrl);
    try {
      await redis.set(`${stack.redisPrefix}bench:view:${id}`, body);
    } finally {
      redis.disconnect();
    }
    const common = { connections: 10, duration: sizes.durationSec, headers: stack.headers };
    const runs = await interleaved(
      sizes.rounds,
      () => httpLoad({ ...common, url: `${stack.queryUrl}/payments/${id}` }),
      () => httpLoad({ ...common, url: `${stack.baselineUrl}/cached/${id}` }),
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
          target: '≥ 0.85×',
          check: (_v, ratio) => ratio !== null && ratio >= 0.85,
        }),
        measure({
          scenario,
          metric: 'p99 latency',
          unit: 'ms',
          values: runs.subject.map((r) => r.p99),
          baselines: runs.baseline.map((r) => r.p99),
          target: '≤ 1.3×',
          check: (_v, ratio) => ratio !== null && ratio <= 1.3,
        }),
      ],
      notes: [
        `10 connections, ${sizes.durationSec} s per round, ${body.length}-byte body`,
        ...(failures > 0 ? [`${failures} non-2xx or failed requests`] : []),
      ],
    };
  },
};
