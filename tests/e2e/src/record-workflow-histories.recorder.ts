/**
 * Records the histories the replay tests check workflow code against (`npm run record:histories`):
 * apps/command-worker/src/workflows/histories (one per kind of command and outcome),
 * apps/projection-worker/src/workflows/histories (a projection that follows, halts on a poison
 * event and resumes; one that retries its dead letters; a rebuild) and
 * apps/query-worker/src/workflows/histories (one report of each kind).
 *
 * Run it when a workflow gains a code path, to record that path too, and keep the histories it
 * replaces where they still describe executions that may run (docs/workflow-versioning.md). Never
 * run it to make a failing replay test pass: that failure is a change running executions would hit.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  commandWorkflowId,
  paymentStreamId,
  projectionRebuildWorkflowId,
  projectionWorkflowId,
  PROJECTIONS,
  reportWorkflowId,
} from '@gyroscops/contracts';
import { ensureTemporalCli, waitFor } from '@gyroscops/dev-infra';
import { appendToStream } from '@gyroscops/event-store';
import { answer, apiClients, grantOrganizations, ran } from './support/http-client';
import { startTestStack, type TestStack } from './support/test-stack';

const ORG = grantOrganizations('org-replay');

const ROOT = resolve(__dirname, '../../..');
const COMMAND_HISTORIES = join(ROOT, 'apps/command-worker/src/workflows/histories');
const PROJECTION_HISTORIES = join(ROOT, 'apps/projection-worker/src/workflows/histories');
const REPORT_HISTORIES = join(ROOT, 'apps/query-worker/src/workflows/histories');

interface HistoryJson {
  events: {
    eventId: string;
    eventType: string;
    activityTaskScheduledEventAttributes?: { activityType: { name: string } };
    activityTaskCompletedEventAttributes?: { scheduledEventId: string };
  }[];
}

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ withoutProjectionWorker: true, withQueryWorker: true });
  // Followers hand back every second instead of every few minutes: the histories hold completed follows.
  await stack.startProjectionWorker((real) => ({
    followProjection: (input) => real.followProjection({ ...input, maxRunMs: 1_000 }),
  }));
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

/** A history in the JSON form `historyFromJSON` reads (the Temporal CLI's, and the UI's download). */
async function historyOf(workflowId: string): Promise<HistoryJson> {
  const cli = await ensureTemporalCli();
  const json = execFileSync(
    cli,
    [
      'workflow',
      'show',
      '--workflow-id',
      workflowId,
      '--output',
      'json',
      '--address',
      stack.env.temporalAddress,
      '--namespace',
      stack.env.namespace,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(json.toString()) as HistoryJson;
}

function save(directory: string, name: string, history: HistoryJson): void {
  writeFileSync(join(directory, `${name}.json`), `${JSON.stringify(history, null, 1)}\n`);
}

/** Saves the history of an execution once it has closed. */
async function saveClosed(directory: string, name: string, workflowId: string): Promise<void> {
  await waitFor(
    `${workflowId} to close`,
    async () => (await stack.temporal.workflow.getHandle(workflowId).describe()).status.name !== 'RUNNING',
  );
  save(directory, name, await historyOf(workflowId));
}

/** Where in a history the activities of a type completed (event indexes, in order). */
function completions(history: HistoryJson, activity: string): number[] {
  const scheduled = new Set(
    history.events
      .filter((event) => event.activityTaskScheduledEventAttributes?.activityType.name === activity)
      .map((event) => event.eventId),
  );
  return history.events.flatMap((event, index) =>
    scheduled.has(event.activityTaskCompletedEventAttributes?.scheduledEventId ?? '') ? [index] : [],
  );
}

/** One `first` completed, and a `then` completed after it. */
const completedInOrder = (first: string, then: string) => (history: HistoryJson) => {
  const [firstDone, ...more] = completions(history, first);
  return firstDone !== undefined && more.length === 0 && completions(history, then).some((index) => index > firstDone);
};

/** Saves a running execution's history once `ready` says it holds what it should. */
async function saveRunning(
  directory: string,
  name: string,
  workflowId: string,
  ready: (history: HistoryJson) => boolean,
): Promise<void> {
  const history = await waitFor(`${workflowId} to record what ${name} needs`, async () => {
    const current = await historyOf(workflowId);
    return ready(current) ? current : undefined;
  });
  save(directory, name, history);
}

async function projectionState(name: string): Promise<{ state: string; deadLetters: number }> {
  const { query } = apiClients(stack);
  const statuses = (await answer(query.GET('/projections'))).body.items as {
    name: string;
    state: string;
    deadLetters: number;
  }[];
  return statuses.find((status) => status.name === name) ?? { state: 'unknown', deadLetters: 0 };
}

it('records the command histories: create (processed, declined, flaky gateway), update, refund (approved, declined, flaky gateway), refused refund, delete', async () => {
  const { command } = apiClients(stack);
  const create = async (body: {
    organizationId: string;
    amount: string;
    currency: string;
    description?: string;
    metadata?: Record<string, string>;
  }) => ran(await command.POST('/payments', { body }));
  const created = await create({ organizationId: ORG, amount: '80.00', currency: 'EUR', description: 'recorded' });
  await saveClosed(COMMAND_HISTORIES, 'create-processed', commandWorkflowId(created.commandId));
  const declined = await create({
    organizationId: ORG,
    amount: '1.00',
    currency: 'EUR',
    metadata: { simulate: 'decline' },
  });
  await saveClosed(COMMAND_HISTORIES, 'create-declined', commandWorkflowId(declined.commandId));
  const flaky = await create({ organizationId: ORG, amount: '2.00', currency: 'EUR', metadata: { simulate: 'flaky' } });
  await saveClosed(COMMAND_HISTORIES, 'create-flaky', commandWorkflowId(flaky.commandId));
  const path = { paymentId: created.paymentId };
  const updated = ran(
    await command.PATCH('/payments/{paymentId}', { params: { path }, body: { description: 'changed' } }),
  );
  await saveClosed(COMMAND_HISTORIES, 'update', commandWorkflowId(updated.commandId));
  const refunded = ran(
    await command.POST('/payments/{paymentId}/refunds', { params: { path }, body: { amount: '30.00' } }),
  );
  await saveClosed(COMMAND_HISTORIES, 'refund', commandWorkflowId(refunded.commandId));
  const rejected = (
    await command.POST('/payments/{paymentId}/refunds', {
      params: { path, header: { prefer: 'respond-async' } },
      body: { amount: '300.00' },
    })
  ).data!;
  await saveClosed(COMMAND_HISTORIES, 'refund-rejected', commandWorkflowId(rejected.commandId));
  const refundDeclinedPayment = await create({
    organizationId: ORG,
    amount: '3.00',
    currency: 'EUR',
    metadata: { simulate: 'refund_decline' },
  });
  const refundDeclined = (
    await command.POST('/payments/{paymentId}/refunds', {
      params: { path: { paymentId: refundDeclinedPayment.paymentId }, header: { prefer: 'respond-async' } },
      body: { amount: '1.00' },
    })
  ).data!;
  await saveClosed(COMMAND_HISTORIES, 'refund-declined', commandWorkflowId(refundDeclined.commandId));
  const refundFlaky = ran(
    await command.POST('/payments/{paymentId}/refunds', {
      params: { path: { paymentId: flaky.paymentId } },
      body: { amount: '2.00' },
    }),
  );
  await saveClosed(COMMAND_HISTORIES, 'refund-flaky', commandWorkflowId(refundFlaky.commandId));
  const deleted = ran(await command.DELETE('/payments/{paymentId}', { params: { path } }));
  await saveClosed(COMMAND_HISTORIES, 'delete', commandWorkflowId(deleted.commandId));
}, 180_000);

it('records the settlements of gateway calls that never answered: charges and refunds, found and not found', async () => {
  const { command } = apiClients(stack);
  const async = { header: { prefer: 'respond-async' as const } };
  const createAsync = async (simulate: string) =>
    (
      await command.POST('/payments', {
        params: async,
        body: { organizationId: ORG, amount: '5.00', currency: 'EUR', metadata: { simulate } },
      })
    ).data!;
  const refundAsync = async (paymentId: string) =>
    (
      await command.POST('/payments/{paymentId}/refunds', {
        params: { path: { paymentId }, ...async },
        body: { amount: '1.00' },
      })
    ).data!;
  // Each charge or refund call fails through all its retries (about 16 s) before the lookup settles it.
  const lostAnswer = await createAsync('answer_lost');
  const unreachable = await createAsync('unreachable');
  const refundLostAnswer = await createAsync('refund_answer_lost');
  const refundUnreachable = await createAsync('refund_unreachable');
  await saveClosed(COMMAND_HISTORIES, 'create-answer-lost-settled', commandWorkflowId(lostAnswer.commandId));
  await saveClosed(COMMAND_HISTORIES, 'create-unreachable-settled', commandWorkflowId(unreachable.commandId));
  const charged = async (accepted: { commandId: string }) =>
    (
      (await stack.temporal.workflow.getHandle(commandWorkflowId(accepted.commandId)).result()) as {
        paymentId: string;
      }
    ).paymentId;
  const lostRefund = await refundAsync(await charged(refundLostAnswer));
  const unreachableRefund = await refundAsync(await charged(refundUnreachable));
  await saveClosed(COMMAND_HISTORIES, 'refund-answer-lost-settled', commandWorkflowId(lostRefund.commandId));
  await saveClosed(COMMAND_HISTORIES, 'refund-unreachable-settled', commandWorkflowId(unreachableRefund.commandId));
}, 180_000);

it('records one report history of each kind', async () => {
  const { query } = apiClients(stack);
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = new Date(Date.now() + 3_600_000).toISOString();
  const requests = {
    'report-event-types': { kind: 'event-types', from, to },
    'report-payment-statistics': { kind: 'payment-statistics', organizationId: ORG, from, to },
    'report-payment-export-csv': { kind: 'payment-export-csv', filter: { organizationId: ORG } },
  } as const;
  for (const [name, body] of Object.entries(requests)) {
    const accepted = await answer(query.POST('/reports', { body }));
    expect(accepted.status).toBe(202);
    await saveClosed(REPORT_HISTORIES, name, reportWorkflowId(accepted.body.reportId));
  }
});

it('records a projection rebuild, a projection that halts on a poison event and resumes, and one that retries its dead letters', async () => {
  const { query } = apiClients(stack);
  const rebuild = (name: string) => query.POST('/projections/{name}/rebuild', { params: { path: { name } } });
  expect((await rebuild(PROJECTIONS.eventCounts)).response.status).toBe(202);
  await saveClosed(PROJECTION_HISTORIES, 'event-counts-rebuild', projectionRebuildWorkflowId(PROJECTIONS.eventCounts));

  // An event no read model can store (its payment id is not a UUID): payments halts on it, statistics parks it.
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
          organizationId: ORG,
          userId: 'u',
          amount: '1.00',
          currency: 'EUR',
          description: null,
          metadata: {},
          occurredAt: new Date().toISOString(),
        },
        metadata: { organizationId: ORG },
      },
    ],
  });
  await waitFor(
    'payments to halt and statistics to park the poison event',
    async () =>
      (await projectionState(PROJECTIONS.payments)).state === 'halted' &&
      (await projectionState(PROJECTIONS.paymentStatistics)).deadLetters === 1,
  );

  expect(
    (await query.POST('/projections/{name}/resume', { params: { path: { name: PROJECTIONS.payments } } })).response
      .status,
  ).toBe(202);
  // Resumed, it follows again (and halts again on the same event).
  await saveRunning(
    PROJECTION_HISTORIES,
    'payments-projection',
    projectionWorkflowId(PROJECTIONS.payments),
    completedInOrder('resumeProjection', 'followProjection'),
  );

  expect(
    (
      await query.POST('/projections/{name}/dead-letters/retry', {
        params: { path: { name: PROJECTIONS.paymentStatistics } },
      })
    ).response.status,
  ).toBe(202);
  await saveRunning(
    PROJECTION_HISTORIES,
    'payment-statistics-projection',
    projectionWorkflowId(PROJECTIONS.paymentStatistics),
    completedInOrder('retryProjectionDeadLetters', 'followProjection'),
  );
});
