/**
 * The command-worker's /metrics: the command workflows' outcomes and durations (recorded by the
 * workflow interceptor through Temporal's workflow metricMeter) and the Temporal SDK's own worker
 * metrics, exported by the runtime and served through the worker's health server.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { DefaultLogger } from '@temporalio/worker';
import { createMetricsRegistry } from '@gyroscops/platform';
import { installTemporalRuntime, startWorkerHealthServer } from '@gyroscops/platform/worker';
import { answer, apiClients, grantOrganizations, type ApiClients } from './support/http-client';
import type { TestStack } from './support/test-stack';

let stack: TestStack;
let api: ApiClients;
let health: Server;
let metricsUrl: string;
const org = grantOrganizations(`org-${randomUUID().slice(0, 8)}`);

beforeAll(async () => {
  // The runtime with its Prometheus exporter must be installed before the test stack's quiet one.
  expect(await installTemporalRuntime({ logger: new DefaultLogger('ERROR') })).toBe(true);
  // Loaded only now: the stack's module installs a quiet runtime (without metrics) when it loads.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTestStack } = require('./support/test-stack') as typeof import('./support/test-stack');
  stack = await startTestStack();
  api = apiClients(stack);
  health = await startWorkerHealthServer({
    host: '127.0.0.1',
    port: 0,
    metrics: createMetricsRegistry('command-worker'),
    readiness: {},
  });
  metricsUrl = `http://127.0.0.1:${(health.address() as AddressInfo).port}/metrics`;
}, 300_000);

afterAll(async () => {
  health?.close();
  health?.closeAllConnections();
  await stack?.stop();
});

/** The sample lines of one metric whose labels include every given label. */
function samples(text: string, metric: string, labels: Record<string, string>): number[] {
  return text
    .split('\n')
    .filter(
      (line) =>
        line.startsWith(`${metric}{`) &&
        Object.entries(labels).every(([name, value]) => line.includes(`${name}="${value}"`)),
    )
    .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));
}

/** Scrapes /metrics until `ready` holds (the runtime exports what the workflow recorded shortly after). */
async function scrapeUntil(ready: (text: string) => boolean, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    const text = await response.text();
    if (ready(text)) return text;
    if (Date.now() > deadline)
      throw new Error(
        `metrics never matched:\n${text
          .split('\n')
          .filter((line) => /^(command_|temporal_workflow_completed|temporal_worker_task_slots)/.test(line))
          .join('\n')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

it('counts command workflows by kind and outcome, with their durations, next to the SDK worker metrics', async () => {
  const created = await answer(
    api.command.POST('/payments', { body: { organizationId: org, amount: '30.00', currency: 'EUR' } }),
  );
  expect(created.status).toBe(201);
  // Refused by the domain inside the workflow: more than the payment's amount.
  const { paymentId } = created.body as { paymentId: string };
  const tooMuch = await answer(
    api.command.POST('/payments/{paymentId}/refunds', { params: { path: { paymentId } }, body: { amount: '1000.00' } }),
  );
  expect(tooMuch.status).toBe(409);

  const succeeded = { command: 'create', outcome: 'succeeded', code: 'processed' };
  const rejected = { command: 'refund', outcome: 'rejected', code: 'CONFLICT' };
  const text = await scrapeUntil(
    (body) =>
      samples(body, 'command_workflows_total', succeeded).length > 0 &&
      samples(body, 'command_workflows_total', rejected).length > 0,
  );
  expect(samples(text, 'command_workflows_total', succeeded)).toEqual([1]);
  expect(samples(text, 'command_workflows_total', rejected)).toEqual([1]);
  // The duration histogram: one observation per command, every bucket line present.
  expect(samples(text, 'command_workflow_duration_seconds_count', succeeded)).toEqual([1]);
  expect(samples(text, 'command_workflow_duration_seconds_sum', succeeded)[0]).toBeGreaterThan(0);
  expect(samples(text, 'command_workflow_duration_seconds_bucket', { ...succeeded, le: '+Inf' })).toEqual([1]);

  // The SDK's worker metrics, and the service's own (Node) metrics, on the same page.
  expect(text).toMatch(/^temporal_workflow_completed(_total)?\{[^}]*workflow_type="paymentCommandWorkflow"/m);
  expect(text).toMatch(/^temporal_worker_task_slots_available\{/m);
  expect(text).toMatch(/^process_cpu_user_seconds_total\{service="command-worker"\}/m);
}, 120_000);
