/**
 * The command dispatcher's answers through Update-with-Start, against a real Temporal and Postgres:
 * a command that lost every optimistic-concurrency race (ApplicationFailure CONFLICT_RETRYABLE)
 * answers 503 + Retry-After and is not stored as its Idempotency-Key's answer, so a repeat runs the
 * command again; duplicates sent at the same time share one execution and one answer.
 * How we know nothing runs twice: the `attempt` activity counts the runs of every command id.
 */
import { randomUUID } from 'node:crypto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { WorkflowCommandDispatcher, type WorkflowCommand } from '@gyroscops/command-api';
import { WORKFLOW_INTERCEPTOR_MODULES } from '@gyroscops/command-worker';
import { defineWorkflow } from '@gyroscops/contracts/workflows';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import { idempotencyMigrations, type IdempotencyDb } from '@gyroscops/idempotency';
import { ApplicationError, createDatabase, lazyTemporalClient, runMigrations } from '@gyroscops/platform';
import type { ConflictCommand, ConflictResult } from './support/retryable-conflict.workflows';

type ConflictWorkflow = (command: ConflictCommand) => Promise<ConflictResult>;
const CONFLICT_WORKFLOW = defineWorkflow<ConflictWorkflow>()('billingCommandWorkflow');
const workflowIdOf = (commandId: string) => `conflict-command-${commandId}`;

let env: TestEnvironment;
let idempotencyDb: IdempotencyDb;
let temporal: ReturnType<typeof lazyTemporalClient>;
let dispatcher: WorkflowCommandDispatcher;
let worker: Worker;
let running: Promise<void>;
let nativeConnection: NativeConnection;
const runs = new Map<string, number>();

beforeAll(async () => {
  env = await createTestEnvironment();
  idempotencyDb = createDatabase({ url: env.eventStoreDatabaseUrl });
  await runMigrations(idempotencyDb, idempotencyMigrations);
  const taskQueue = `conflict-${env.uniqueId}`;
  nativeConnection = await NativeConnection.connect({ address: env.temporalAddress });
  worker = await Worker.create({
    connection: nativeConnection,
    namespace: env.namespace,
    taskQueue,
    workflowsPath: require.resolve('./support/retryable-conflict.workflows'),
    interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES },
    activities: {
      attempt: async (commandId: string) => {
        const run = (runs.get(commandId) ?? 0) + 1;
        runs.set(commandId, run);
        return run;
      },
    },
  });
  running = worker.run();
  temporal = lazyTemporalClient({ address: env.temporalAddress, namespace: env.namespace });
  dispatcher = new WorkflowCommandDispatcher({
    temporal,
    idempotencyDb,
    resultTimeoutMs: 30_000,
    idempotencyTtlMs: 60_000,
    taskQueue,
  });
});

afterAll(async () => {
  worker?.shutdown();
  await running?.catch(() => undefined);
  await nativeConnection?.close();
  await temporal?.connection.close();
  await idempotencyDb?.destroy();
  await env?.dispose();
});

const commandOf = (
  commandId: string,
  key: string,
  loseFirstRun = true,
): WorkflowCommand<ConflictCommand, ConflictResult> => ({
  workflow: CONFLICT_WORKFLOW,
  workflowIdOf,
  command: { context: { commandId }, loseFirstRun },
  commandId,
  withCommandId: (command, claimed) => ({ ...command, context: { commandId: claimed } }),
  rerunAfterFailure: true,
  organizationId: 'org-1',
  idempotency: { key, requestHash: 'same-request' },
  respondAsync: false,
  whenStillRunning: 'timeout',
  successStatus: 200,
  bodyOf: (result) => result,
  successHeaders: () => ({}),
});

it('answers 503 + Retry-After to a command that lost its races, runs it again on a repeat, then replays the answer', async () => {
  const key = randomUUID();
  const first = randomUUID();

  const lost = await dispatcher.dispatch(commandOf(first, key)).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(lost).toBeInstanceOf(ApplicationError);
  expect(lost).toMatchObject({ code: 'UNAVAILABLE', status: 503, headers: { 'retry-after': '1' } });
  expect(runs.get(first)).toBe(1);

  // A repeat (its own fresh command id, as a new request has) runs the claimed command again: the 503 was not stored.
  const repeated = await dispatcher.dispatch(commandOf(randomUUID(), key));
  expect(repeated).toEqual({ status: 200, body: { commandId: first, run: 2 }, headers: {} });

  // The success is the key's answer now: replayed without a third run.
  const replayed = await dispatcher.dispatch(commandOf(randomUUID(), key));
  expect(replayed).toEqual({
    status: 200,
    body: { commandId: first, run: 2 },
    headers: { 'idempotent-replayed': 'true' },
  });
  expect(runs.get(first)).toBe(2);

  // Two runs of one workflow id: the failed one and the one that answered.
  const executions = temporal.workflow.list({ query: `WorkflowId = '${workflowIdOf(first)}'` });
  const statuses: string[] = [];
  for await (const execution of executions) statuses.push(execution.status.name);
  expect(statuses.sort()).toEqual(['COMPLETED', 'FAILED']);
});

it('gives duplicates sent together one execution and one answer', async () => {
  const key = randomUUID();
  const commandIds = Array.from({ length: 10 }, () => randomUUID());
  // Ten requests at once: one claims the key; every other one attaches to that command or replays its answer.
  const answers = await Promise.all(
    commandIds.map((commandId) => dispatcher.dispatch(commandOf(commandId, key, false))),
  );
  const claimed = commandIds.filter((commandId) => runs.has(commandId));
  expect(claimed).toHaveLength(1);
  expect(runs.get(claimed[0]!)).toBe(1);
  for (const answer of answers) expect(answer).toMatchObject({ status: 200, body: { commandId: claimed[0], run: 1 } });

  // One execution: every duplicate that came while it ran waited on it through an update of its own.
  const executions: string[] = [];
  for await (const execution of temporal.workflow.list({ query: `WorkflowId = '${workflowIdOf(claimed[0]!)}'` }))
    executions.push(execution.status.name);
  expect(executions).toEqual(['COMPLETED']);
  const history = await temporal.workflow.getHandle(workflowIdOf(claimed[0]!)).fetchHistory();
  const updates = (history.events ?? []).filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes);
  expect(updates.length).toBeGreaterThanOrEqual(1);
  expect(updates.length).toBeLessThanOrEqual(10);
});
