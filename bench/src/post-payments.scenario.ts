import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { benchEmptyWorkflow } from './empty-workflow';
import { cpuMeter, cpuMsOf, cpuMsOfProcessesNamed } from './process-cpu';
import { closedLoop, httpLoad, interleaved, measure, openLoop, percentile, type HttpLoadResult } from './harness';
import type { Scenario } from './scenario';
import { BENCH_DIST, type ServiceName } from './stack';

const TASK_QUEUE = 'bench-empty-workflow';
const RATE = 50;
const CONCURRENCY = 16;

/**
 * `POST /payments` end to end (HTTP → command workflow → charge → append → answer), at a fixed rate
 * for latency and closed loop for throughput, vs starting and awaiting an empty workflow on the same
 * Temporal server from a worker in this process. Samples each service's RSS during the load.
 */
export const postPaymentsScenario: Scenario = {
  name: 'POST /payments end to end',
  readsSeededPayments: false,
  async run({ stack, sizes, memory, log }) {
    const nativeConnection = await NativeConnection.connect({ address: stack.temporal.address });
    const connection = await Connection.connect({ address: stack.temporal.address });
    const client = new Client({ connection, namespace: 'default' });
    log('bundling the empty workflow');
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue: TASK_QUEUE,
      workflowsPath: join(BENCH_DIST, 'empty-workflow.js'),
    });
    const running = worker.run();
    const sampler = setInterval(() => {
      for (const name of stack.services.keys()) {
        const rss = stack.rssKb(name as ServiceName);
        if (Number.isFinite(rss)) memory.underCommandLoad[name] = Math.max(memory.underCommandLoad[name] ?? 0, rss);
      }
    }, 250);
    try {
      // Commands take tens of milliseconds or more: even the smoke run needs whole seconds to see answers.
      const durationSec = Math.max(sizes.durationSec, 2);
      const durationMs = durationSec * 1000;
      const body = JSON.stringify({
        organizationId: 'org-bench',
        amount: '12.34',
        currency: 'EUR',
        description: 'bench',
      });
      const post = (options: { overallRate?: number; connections: number }): Promise<HttpLoadResult> =>
        httpLoad({
          // Several command-api instances: autocannon spreads its connections over them.
          url:
            stack.commandUrls.length > 1
              ? stack.commandUrls.map((url) => `${url}/payments`)
              : `${stack.commandUrl}/payments`,
          method: 'POST',
          headers: { ...stack.headers, 'content-type': 'application/json' },
          body,
          // A run of a few seconds may see no answer at all on a loaded machine (autocannon stops at the
          // end of its duration and drops what is in flight): the smoke run sends a fixed number of
          // requests instead and waits for every answer, so it always has latencies to report.
          ...(sizes.smoke
            ? {
                amount: Math.max(
                  options.connections,
                  Math.round((options.overallRate ?? options.connections) * durationSec),
                ),
              }
            : { duration: durationSec }),
          timeout: 30,
          ...options,
        });
      // The function itself names the workflow type and types its arguments and result.
      const empty = () =>
        client.workflow.execute(benchEmptyWorkflow, {
          taskQueue: TASK_QUEUE,
          workflowId: `bench-empty-${randomUUID()}`,
        });
      // Warm both paths (connections, caches, the worker's first workflow tasks).
      await Promise.all([post({ connections: 8, overallRate: 20 }).catch(() => undefined), openLoop(20, 1_000, empty)]);

      const fixed = await interleaved(
        sizes.rounds,
        () => post({ connections: 32, overallRate: RATE }),
        async () => {
          const result = await openLoop(RATE, durationMs, empty);
          return {
            rps: result.latencies.length / (result.elapsedMs / 1000),
            p50: percentile(result.latencies, 50),
            p99: percentile(result.latencies, 99),
            total: result.latencies.length,
            non2xx: 0,
            errors: result.errors,
          };
        },
      );
      // Where the cores go: CPU time of every party during the closed-loop rounds on the real path.
      const cpu = cpuMeter({
        ...Object.fromEntries(
          ['command-api', 'command-worker', 'projection-worker', 'query-api'].map((name) => [
            name,
            // Every instance of a scaled service counts under its name.
            () =>
              [...stack.services.values()]
                .filter((service) => service.name === name || service.name.startsWith(`${name}-`))
                .reduce((sum, service) => sum + cpuMsOf(service.process.pid), 0),
          ]),
        ),
        'Temporal server': () => cpuMsOf(stack.temporal.process.pid),
        Postgres: () => cpuMsOfProcessesNamed('postgres'),
        Redis: () => cpuMsOfProcessesNamed('redis-server'),
        'load generator (this process)': () => cpuMsOf(process.pid),
      });
      const baselineCpu = cpuMeter({
        'Temporal server': () => cpuMsOf(stack.temporal.process.pid),
        'worker and client (this process)': () => cpuMsOf(process.pid),
      });
      let commandsMeasured = 0;
      let emptyWorkflowsMeasured = 0;
      const saturated = await interleaved(
        sizes.rounds,
        async () => {
          cpu.start();
          const run = await post({ connections: CONCURRENCY });
          cpu.stop();
          commandsMeasured += run.total;
          return run;
        },
        async () => {
          baselineCpu.start();
          const result = await closedLoop(CONCURRENCY, durationMs, empty);
          baselineCpu.stop();
          emptyWorkflowsMeasured += result.done;
          return {
            rps: result.done / (result.elapsedMs / 1000),
            p50: percentile(result.latencies, 50),
            p99: percentile(result.latencies, 99),
            total: result.done,
            non2xx: 0,
            errors: result.errors,
          };
        },
      );
      const scenario = this.name;
      const failures = [...fixed.subject, ...saturated.subject].reduce((sum, run) => sum + run.non2xx + run.errors, 0);
      const baselineFailures = [...fixed.baseline, ...saturated.baseline].reduce((sum, run) => sum + run.errors, 0);
      return {
        measures: [
          measure({
            scenario,
            metric: `p50 latency at ${RATE}/s`,
            unit: 'ms',
            values: fixed.subject.map((r) => r.p50),
            baselines: fixed.baseline.map((r) => r.p50),
            target: '≤ 1.5×',
            check: (_v, ratio) => ratio !== null && ratio <= 1.5,
          }),
          measure({
            scenario,
            metric: `p99 latency at ${RATE}/s`,
            unit: 'ms',
            values: fixed.subject.map((r) => r.p99),
            baselines: fixed.baseline.map((r) => r.p99),
            target: '≤ 2×',
            check: (_v, ratio) => ratio !== null && ratio <= 2,
          }),
          measure({
            scenario,
            metric: `achieved rate at ${RATE}/s`,
            unit: 'req/s',
            values: fixed.subject.map((r) => r.rps),
            baselines: fixed.baseline.map((r) => r.rps),
            target: '≥ 0.95×',
            check: (_v, ratio) => ratio !== null && ratio >= 0.95,
          }),
          measure({
            scenario,
            metric: `throughput, ${CONCURRENCY} in flight`,
            unit: 'req/s',
            values: saturated.subject.map((r) => r.rps),
            baselines: saturated.baseline.map((r) => r.rps),
            target: '≥ 0.7×',
            check: (_v, ratio) => ratio !== null && ratio >= 0.7,
          }),
          measure({
            scenario,
            metric: `p99 latency, ${CONCURRENCY} in flight`,
            unit: 'ms',
            values: saturated.subject.map((r) => r.p99),
            baselines: saturated.baseline.map((r) => r.p99),
          }),
          measure({
            scenario,
            metric: `CPU per command, ${CONCURRENCY} in flight (all processes)`,
            unit: 'ms',
            values: [totalCpuMs(cpu.spent(), commandsMeasured)],
            baselines: [totalCpuMs(baselineCpu.spent(), emptyWorkflowsMeasured)],
            target: '≤ 1.5×',
            // Not positive: a party's processes ended during the rounds (Postgres backends), so the sum is wrong.
            check: (value, ratio) => value > 0 && ratio !== null && ratio <= 1.5,
          }),
          measure({
            scenario,
            metric: `command-worker CPU per command, ${CONCURRENCY} in flight`,
            unit: 'ms',
            values: [(cpu.spent()['command-worker'] ?? Number.NaN) / Math.max(1, commandsMeasured)],
          }),
        ],
        notes: [
          cpuPerCommand('command', cpu.spent(), commandsMeasured),
          cpuPerCommand('empty workflow (baseline)', baselineCpu.spent(), emptyWorkflowsMeasured),
          `fixed rate ${RATE}/s (autocannon overallRate; the baseline an open loop at the same rate), then closed loop with ${CONCURRENCY} in flight; ${durationSec} s each per round`,
          ...(failures > 0 ? [`${failures} POST /payments non-2xx or failed`] : []),
          ...(baselineFailures > 0 ? [`${baselineFailures} empty workflows failed`] : []),
        ],
      };
    } finally {
      clearInterval(sampler);
      worker.shutdown();
      await running.catch(() => undefined);
      await connection.close();
      await nativeConnection.close();
    }
  },
};

/** Every party's CPU time over the closed-loop rounds, per command answered (NaN when none was). */
function totalCpuMs(spent: Readonly<Record<string, number>>, commands: number): number {
  if (commands === 0) return Number.NaN;
  return Object.values(spent).reduce((sum, ms) => sum + (Number.isFinite(ms) ? ms : 0), 0) / commands;
}

/** "CPU per command: …": each party's CPU time over the closed-loop rounds, divided by the commands answered. */
function cpuPerCommand(what: string, spent: Readonly<Record<string, number>>, commands: number): string {
  if (commands === 0) return `CPU per ${what}: none completed`;
  const parts = Object.entries(spent)
    .filter(([, ms]) => Number.isFinite(ms))
    .sort((a, b) => b[1] - a[1]);
  const total = parts.reduce((sum, [, ms]) => sum + ms, 0) / commands;
  const shares = parts.map(([name, ms]) => `${name} ${(ms / commands).toFixed(1)}`).join(', ');
  return `CPU per ${what} with ${CONCURRENCY} in flight (ms, /proc): ${shares}; total ${total.toFixed(1)} ms, so two cores serve at most ${Math.floor(2_000 / total)}/s`;
}
