/**
 * Projections are durable and exactly-once: a worker stopped between a committed batch and Temporal
 * learning of it, two workers at once, a rebuild while commands keep coming, and a poison event all
 * leave the read models equal to what the event store says (computed here with the domain's fold).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { paymentStreamId, projectionRebuildWorkflowId, projectionWorkflowId, PROJECTIONS } from '@gyroscops/contracts';
import { freePort, waitFor } from '@gyroscops/dev-infra';
import { appendToStream } from '@gyroscops/event-store';
import { withTablesOf } from '@gyroscops/platform';
import { findPaymentView, readModelDifferences, type PaymentReadTables } from '@gyroscops/read-models';
import { answer, apiClients, grantOrganizations, type ApiClients } from './support/http-client';
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;
let api: ApiClients;
const org = grantOrganizations(`org-${randomUUID().slice(0, 8)}`);

beforeAll(async () => {
  stack = await startTestStack({ withoutProjectionWorker: true });
  api = apiClients(stack);
  // Generous: the workflow bundles are built on a machine shared with other test runs.
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

const createPayment = async (extra: { amount?: string; metadata?: Record<string, string> } = {}) => {
  const response = await answer(
    api.command.POST('/payments', { body: { organizationId: org, amount: '10.00', currency: 'EUR', ...extra } }),
  );
  expect(response.status).toBe(201);
  return response.body as { paymentId: string; position: string; version: number };
};

async function projectionStatuses(): Promise<any[]> {
  const response = await answer(api.query.GET('/projections'));
  expect(response.status).toBe(200);
  return response.body.items;
}

/** How many runs of `activity` completed in the current run of a workflow (what a signal's effect is waited for by). */
async function completedActivities(workflowId: string, activity: string): Promise<number> {
  const events = (await stack.temporal.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const scheduled = new Set(
    events
      .filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === activity)
      .map((event) => String(event.eventId)),
  );
  return events.filter((event) => scheduled.has(String(event.activityTaskCompletedEventAttributes?.scheduledEventId)))
    .length;
}

/** Waits until every projection has applied everything in the event store (or `timeoutMs` passes). */
async function caughtUp(timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await projectionStatuses();
    if (statuses.every((status) => status.lagEvents === 0 && status.state !== 'rebuilding')) return;
    if (Date.now() > deadline) throw new Error(`projections did not catch up: ${JSON.stringify(statuses)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it('a projection worker stopped after committing a batch but before reporting it loses and doubles nothing', async () => {
  let committed!: () => void;
  const batchCommitted = new Promise<void>((resolve) => (committed = resolve));
  let crashed = false;
  // Worker 1 applies (and commits) a statistics batch for real, then never reports it: it hangs until shut down.
  const doomed = await stack.startProjectionWorker(
    (real) => ({
      async applyProjectionBatch(input: { projection: string }) {
        const result = await real.applyProjectionBatch(input);
        if (!crashed && input.projection === PROJECTIONS.paymentStatistics && result.eventsRead > 0) {
          crashed = true;
          committed();
          await Context.current().cancelled;
        }
        return result;
      },
    }),
    { shutdownGraceTime: '200 ms' },
  );
  for (let index = 0; index < 5; index += 1) await createPayment({ amount: `${index + 1}.00` });
  await batchCommitted;
  await doomed.stop();
  for (let index = 0; index < 5; index += 1)
    await createPayment({ amount: `${index + 10}.00`, metadata: { simulate: index % 2 ? 'decline' : 'none' } });

  await stack.startProjectionWorker();
  await caughtUp();
  expect(await readModelDifferences(stack.eventStore, stack.readDb)).toEqual([]);
});

it('two projection-worker processes at once never apply a batch twice', async () => {
  // A second instance, as deployed: the built service in its own process, on the same databases and namespace.
  const healthPort = await freePort();
  const second = spawn(process.execPath, [join(__dirname, '../../../apps/projection-worker/dist/main.js')], {
    env: {
      ...process.env,
      EVENT_STORE_DATABASE_URL: stack.env.eventStoreDatabaseUrl,
      READ_DATABASE_URL: stack.env.readDatabaseUrl,
      REDIS_URL: stack.env.redisUrl,
      REDIS_KEY_PREFIX: stack.env.redisPrefix,
      TEMPORAL_ADDRESS: stack.env.temporalAddress,
      TEMPORAL_NAMESPACE: stack.env.namespace,
      PROJECTION_WORKER_HEALTH_PORT: String(healthPort),
      PROJECTION_BATCH_SIZE: '7',
      MIGRATE_ON_START: 'false',
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => second.once('exit', resolve));
  try {
    // Both workers poll the task queue before the payments arrive.
    await waitFor(
      'the second projection worker to be ready',
      async () => {
        if (second.exitCode !== null) throw new Error(`it exited with code ${second.exitCode}`);
        return (await fetch(`http://127.0.0.1:${healthPort}/health/ready`)).status === 200;
      },
      { timeoutMs: 30_000 },
    );
    await Promise.all(Array.from({ length: 30 }, (_, index) => createPayment({ amount: `${index + 1}.50` })));
    await caughtUp();
    expect(await readModelDifferences(stack.eventStore, stack.readDb)).toEqual([]);
  } finally {
    second.kill('SIGTERM');
    await exited;
  }
});

it('shows an append in the read model well under a second once caught up', async () => {
  await caughtUp();
  for (let round = 0; round < 5; round += 1) {
    const created = await createPayment();
    const started = Date.now();
    while (!(await findPaymentView(withTablesOf<PaymentReadTables>(stack.readDb), created.paymentId))) {
      if (Date.now() - started > 2_000) throw new Error('the payment did not reach the read model within 2 s');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
});

it('rebuilds without downtime while commands keep arriving, and ends equal to a build from scratch', async () => {
  const existing = await Promise.all(Array.from({ length: 20 }, () => createPayment()));
  await caughtUp();

  let writing = true;
  const readStatuses: number[] = [];
  const load = (async () => {
    let index = 0;
    while (writing) {
      const target = existing[index % existing.length]!;
      await api.command.PATCH('/payments/{paymentId}', {
        params: { path: { paymentId: target.paymentId } },
        body: { description: `edit ${index}` },
      });
      await createPayment({ amount: `${(index % 50) + 1}.25` });
      readStatuses.push(
        (await api.query.GET('/payments/{paymentId}', { params: { path: { paymentId: target.paymentId } } })).response
          .status,
      );
      index += 1;
    }
  })();

  const rebuild = (name: string) =>
    answer(api.query.POST('/projections/{name}/rebuild', { params: { path: { name } } }));
  const started = await rebuild(PROJECTIONS.payments);
  expect(started.status).toBe(202);
  const statistics = await rebuild(PROJECTIONS.paymentStatistics);
  expect(statistics.status).toBe(202);
  await Promise.all([
    stack.temporal.workflow.getHandle(projectionRebuildWorkflowId(PROJECTIONS.payments)).result(),
    stack.temporal.workflow.getHandle(projectionRebuildWorkflowId(PROJECTIONS.paymentStatistics)).result(),
  ]);
  writing = false;
  await load;

  expect(readStatuses.length).toBeGreaterThan(0);
  expect(readStatuses.filter((status) => status !== 200)).toEqual([]);
  await caughtUp();
  const statuses = await projectionStatuses();
  expect(statuses.map((status) => status.state)).toEqual(statuses.map(() => 'live'));
  expect(await readModelDifferences(stack.eventStore, stack.readDb)).toEqual([]);
});

it('parks a poison event (statistics) or halts on it (payments), visibly in GET /projections', async () => {
  await caughtUp();
  // An event no projection can store: its payment id is not a UUID.
  await appendToStream(stack.eventStore, {
    streamId: paymentStreamId('poison'),
    streamType: 'payment',
    expectedVersion: 'no_stream',
    events: [
      {
        eventId: randomUUID(),
        type: 'PaymentInitiated',
        data: {
          paymentId: 'not-a-uuid',
          organizationId: org,
          userId: 'u',
          amount: '1.00',
          currency: 'EUR',
          description: null,
          metadata: {},
          occurredAt: new Date().toISOString(),
        },
        metadata: { organizationId: org },
      },
    ],
  });
  const deadline = Date.now() + 30_000;
  let statuses = await projectionStatuses();
  const byName = (name: string) => statuses.find((status) => status.name === name);
  while (
    Date.now() < deadline &&
    !(byName(PROJECTIONS.payments)?.state === 'halted' && byName(PROJECTIONS.paymentStatistics)?.deadLetters === 1)
  ) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    statuses = await projectionStatuses();
  }
  expect(byName(PROJECTIONS.payments)).toMatchObject({
    state: 'halted',
    lastError: expect.stringContaining('not-a-uuid'),
  });
  expect(byName(PROJECTIONS.paymentStatistics)).toMatchObject({ state: 'live', deadLetters: 1 });
  expect(byName(PROJECTIONS.eventCounts)).toMatchObject({ state: 'live', deadLetters: 0, lagEvents: 0 });

  // The parked projection moves on: a new payment still reaches the statistics.
  await createPayment({ amount: '77.00' });
  const statisticsDeadline = Date.now() + 10_000;
  while ((byName(PROJECTIONS.paymentStatistics)?.lagEvents ?? 1) > 0 && Date.now() < statisticsDeadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    statuses = await projectionStatuses();
  }
  expect(byName(PROJECTIONS.paymentStatistics)?.lagEvents).toBe(0);
  // Retrying a still-broken event keeps it parked; resuming a still-broken projection halts it again.
  const statisticsWorkflow = projectionWorkflowId(PROJECTIONS.paymentStatistics);
  const paymentsWorkflow = projectionWorkflowId(PROJECTIONS.payments);
  const [retriesBefore, resumesBefore] = await Promise.all([
    completedActivities(statisticsWorkflow, 'retryProjectionDeadLetters'),
    completedActivities(paymentsWorkflow, 'resumeProjection'),
  ]);
  expect(
    (
      await api.query.POST('/projections/{name}/dead-letters/retry', {
        params: { path: { name: PROJECTIONS.paymentStatistics } },
      })
    ).response.status,
  ).toBe(202);
  expect(
    (await api.query.POST('/projections/{name}/resume', { params: { path: { name: PROJECTIONS.payments } } })).response
      .status,
  ).toBe(202);
  // The retry has run, and the resume has set the projection live again (so a 'halted' seen from here on is a new halt).
  await waitFor(
    'the dead-letter retry and the resume to run',
    async () =>
      (await completedActivities(statisticsWorkflow, 'retryProjectionDeadLetters')) > retriesBefore &&
      (await completedActivities(paymentsWorkflow, 'resumeProjection')) > resumesBefore,
    { timeoutMs: 20_000, intervalMs: 200 },
  );
  // Resuming runs the poison event through its retries again (about 1.5 s) before it halts once more.
  const haltDeadline = Date.now() + 20_000;
  statuses = await projectionStatuses();
  while (byName(PROJECTIONS.payments)?.state !== 'halted' && Date.now() < haltDeadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    statuses = await projectionStatuses();
  }
  expect(byName(PROJECTIONS.paymentStatistics)?.deadLetters).toBe(1);
  expect(byName(PROJECTIONS.payments)?.state).toBe('halted');
  expect(
    (await api.query.POST('/projections/{name}/rebuild', { params: { path: { name: 'nope' } } })).response.status,
  ).toBe(404);
});
