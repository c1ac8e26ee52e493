import { createHmac } from 'node:crypto';
import autocannon from 'autocannon';

/** One line of the result table: a measured value, its baseline in the same run, and the target. */
export interface Measure {
  scenario: string;
  metric: string;
  unit: string;
  value: number;
  baseline: number | null;
  /** value / baseline, or null without a baseline. */
  ratio: number | null;
  target: string;
  /** Whether the target is met; null when there is none (reported only). */
  met: boolean | null;
  rounds?: { value: number[]; baseline?: number[] };
}

export interface ScenarioOutcome {
  scenario: string;
  measures: Measure[];
  notes: string[];
  error?: string;
  seconds: number;
}

export interface BenchSizes {
  smoke: boolean;
  rounds: number;
  /** Seconds of each autocannon or load run. */
  durationSec: number;
  /** Events for the rebuild scenario. */
  events: number;
}

export const median = (values: number[]): number => percentile(values, 50);

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const round = (value: number, digits = 2): number =>
  Number.isFinite(value) ? Number(value.toFixed(digits)) : value;

/** A measure from per-round values (medians taken here) and a target check on value and ratio. */
export function measure(input: {
  scenario: string;
  metric: string;
  unit: string;
  values: number[];
  baselines?: number[];
  target?: string;
  check?: (value: number, ratio: number | null, baseline: number | null) => boolean;
}): Measure {
  const value = median(input.values);
  const baseline = input.baselines ? median(input.baselines) : null;
  const ratio =
    baseline !== null && baseline !== 0 && Number.isFinite(value) && Number.isFinite(baseline)
      ? value / baseline
      : null;
  return {
    scenario: input.scenario,
    metric: input.metric,
    unit: input.unit,
    value: round(value),
    baseline: baseline === null ? null : round(baseline),
    ratio: ratio === null ? null : round(ratio, 3),
    target: input.target ?? '—',
    met: input.check ? Number.isFinite(value) && input.check(value, ratio, baseline) : null,
    rounds: {
      value: input.values.map((v) => round(v)),
      ...(input.baselines ? { baseline: input.baselines.map((v) => round(v)) } : {}),
    },
  };
}

/**
 * Runs `subject` and `baseline` for `rounds` rounds, alternating which goes first (A B, B A, ...) so
 * neither always runs on a warmer or noisier machine.
 */
export async function interleaved<T>(
  rounds: number,
  subject: (round: number) => Promise<T>,
  baseline: (round: number) => Promise<T>,
): Promise<{ subject: T[]; baseline: T[] }> {
  const out = { subject: [] as T[], baseline: [] as T[] };
  for (let index = 0; index < rounds; index++) {
    if (index % 2 === 0) {
      out.subject.push(await subject(index));
      out.baseline.push(await baseline(index));
    } else {
      out.baseline.push(await baseline(index));
      out.subject.push(await subject(index));
    }
  }
  return out;
}

export interface HttpLoadResult {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
}

/** One autocannon run: throughput (mean requests/s) and latency percentiles (ms). */
export async function httpLoad(options: autocannon.AutocannonOptions): Promise<HttpLoadResult> {
  const result = await autocannon(options);
  // No answer within the run: no latency to report (autocannon says 0).
  const answered = result['2xx'] + result.non2xx > 0;
  return {
    rps: result.requests.average,
    p50: answered ? result.latency.p50 : Number.NaN,
    p99: answered ? result.latency.p99 : Number.NaN,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** An HS256 JWT with the claims the APIs expect: { sub, orgs, roles, exp }. */
export function mintToken(
  secret: string,
  claims: { sub: string; orgs: string[]; roles?: string[]; ttlSeconds?: number },
): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(
    JSON.stringify({
      sub: claims.sub,
      orgs: claims.orgs,
      roles: claims.roles ?? ['admin'],
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + (claims.ttlSeconds ?? 3_600),
    }),
  );
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** Calls `fn` at `ratePerSec` for `durationMs` whatever the answers' latency (open loop); latencies in ms. */
export async function openLoop(
  ratePerSec: number,
  durationMs: number,
  fn: () => Promise<unknown>,
): Promise<{ latencies: number[]; errors: number; elapsedMs: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  const interval = 1000 / ratePerSec;
  for (let index = 0; index * interval < durationMs; index++) {
    const due = started + index * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const t0 = performance.now();
    pending.push(
      fn().then(
        () => void latencies.push(performance.now() - t0),
        () => void errors++,
      ),
    );
  }
  await Promise.all(pending);
  return { latencies, errors, elapsedMs: performance.now() - started };
}

/** `concurrency` callers each calling `fn` back to back for `durationMs` (closed loop). */
export async function closedLoop(
  concurrency: number,
  durationMs: number,
  fn: (caller: number) => Promise<unknown>,
): Promise<{ latencies: number[]; errors: number; elapsedMs: number; done: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const end = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, caller) => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          await fn(caller);
          latencies.push(performance.now() - t0);
        } catch {
          errors++;
        }
      }
    }),
  );
  return { latencies, errors, elapsedMs: performance.now() - started, done: latencies.length };
}
