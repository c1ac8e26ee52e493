/**
 * Graceful shutdown of the BUILT services, run as child processes like in production (as the
 * benchmark runs them): a command accepted before SIGTERM completes. The command-api, signalled
 * while a POST /payments waits for its workflow, stops accepting connections but still answers that
 * request 201 once the payment is processed, then exits 0. A command-worker signalled once it picked
 * a command up stops gracefully (exit 0) and the command completes, on a new worker if need be, with
 * one charge and one PaymentProcessed: no command is lost. Needs `turbo run build` first.
 */
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { commandWorkflowId, paymentStreamId } from '@gyroscops/contracts';
import {
  createTestEnvironment,
  freePort,
  httpReady,
  SupervisedProcess,
  waitFor,
  type TestEnvironment,
} from '@gyroscops/dev-infra';
import type { EventStoreTables } from '@gyroscops/event-store';
import { createDatabase, mintToken } from '@gyroscops/platform';

const ROOT = resolve(__dirname, '../../..');
const SECRET = 'shutdown-e2e-secret-0123456789abcdefghijklmnop';
const ORG = 'org-shutdown';
const AUTH = { authorization: `Bearer ${mintToken(SECRET, { sub: 'shutdown-user', orgs: [ORG] })}` };

let env: TestEnvironment;
let connection: Connection;
let temporal: Client;
let eventStore: ReturnType<typeof createDatabase<EventStoreTables>>;
let baseEnv: NodeJS.ProcessEnv;
const processes: SupervisedProcess[] = [];

async function startCommandWorker(): Promise<SupervisedProcess> {
  const port = await freePort();
  const worker = new SupervisedProcess({
    name: 'command-worker',
    command: process.execPath,
    args: [join(ROOT, 'apps/command-worker/dist/main.js')],
    env: { ...baseEnv, COMMAND_WORKER_HEALTH_PORT: String(port) },
    isReady: httpReady(`http://127.0.0.1:${port}/health/ready`),
    readyTimeoutMs: 240_000,
    stopGraceMs: 40_000,
  });
  processes.push(worker);
  await worker.start();
  return worker;
}

async function startCommandApi(): Promise<{ api: SupervisedProcess; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const api = new SupervisedProcess({
    name: 'command-api',
    command: process.execPath,
    args: [join(ROOT, 'apps/command-api/dist/main.js')],
    env: { ...baseEnv, COMMAND_API_PORT: String(port) },
    isReady: httpReady(`${url}/health/ready`),
    readyTimeoutMs: 240_000,
    stopGraceMs: 40_000,
  });
  processes.push(api);
  await api.start();
  return { api, url };
}

beforeAll(async () => {
  env = await createTestEnvironment();
  baseEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    EVENT_STORE_DATABASE_URL: env.eventStoreDatabaseUrl,
    READ_DATABASE_URL: env.readDatabaseUrl,
    REDIS_URL: env.redisUrl,
    REDIS_KEY_PREFIX: env.redisPrefix,
    TEMPORAL_ADDRESS: env.temporalAddress,
    TEMPORAL_NAMESPACE: env.namespace,
    MIGRATE_ON_START: 'true',
    JWT_SECRET: SECRET,
    LOG_LEVEL: 'info',
    // The API waits for its workflow, and its shutdown for that request, longer than a new worker
    // takes to start on a loaded CI machine (minutes, at worst).
    COMMAND_RESULT_TIMEOUT_MS: '120000',
    SHUTDOWN_TIMEOUT_MS: '300000',
  };
  connection = await Connection.connect({ address: env.temporalAddress });
  temporal = new Client({ connection, namespace: env.namespace });
  eventStore = createDatabase<EventStoreTables>({ url: env.eventStoreDatabaseUrl, maxConnections: 2 });
}, 180_000);

afterAll(async () => {
  await Promise.allSettled(processes.map((child) => child.kill('SIGKILL').catch(() => undefined)));
  await eventStore?.destroy();
  await connection?.close();
  await env?.dispose();
});

/** The events of one payment, by type. */
async function eventTypesOf(paymentId: string): Promise<string[]> {
  const { rows } = await sql<{
    type: string;
  }>`SELECT type FROM events WHERE stream_id = ${paymentStreamId(paymentId)} ORDER BY position`.execute(eventStore);
  return rows.map((row) => row.type);
}

it('command-api: a POST /payments in flight at SIGTERM still answers 201 once processed, no new connection is accepted, and the process exits 0', async () => {
  // The migrating worker goes first, then stops: the command will wait for a worker while the API shuts down.
  const firstWorker = await startCommandWorker();
  const { api, url } = await startCommandApi();
  expect(await firstWorker.kill('SIGTERM')).toEqual({ code: 0, signal: null });

  const idempotencyKey = randomUUID();
  const paymentId = randomUUID();
  const inFlight = fetch(`${url}/payments`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify({ organizationId: ORG, amount: '12.34', currency: 'EUR', paymentId }),
  });
  // Accepted: its key is claimed and its workflow started.
  await waitFor('the command to be accepted', async () => {
    const { rows } = await sql<{
      count: string;
    }>`SELECT count(*) AS count FROM idempotency_keys WHERE idempotency_key = ${idempotencyKey}`.execute(eventStore);
    return Number(rows[0]!.count) === 1 ? true : undefined;
  });

  const apiExit = api.kill('SIGTERM');
  // Stopped accepting: a new connection is refused while the accepted request is still waiting.
  await waitFor('the API to refuse new connections', async () => {
    try {
      await fetch(`${url}/health/live`, { headers: { connection: 'close' } });
      return undefined;
    } catch {
      return true;
    }
  });
  expect(api.running).toBe(true);

  // A new worker picks the command up; the draining API answers the request it accepted.
  await startCommandWorker();
  const response = await inFlight;
  expect(response.status).toBe(201);
  expect(await response.json()).toMatchObject({ paymentId, status: 'processed' });
  expect({ exit: await apiExit, output: api.output() }).toEqual({
    exit: { code: 0, signal: null },
    output: expect.any(Array),
  });
  expect(await eventTypesOf(paymentId)).toEqual(['PaymentInitiated', 'PaymentProcessed']);
  expect(api.output().join('\n')).toContain('shutting down gracefully');
}, 600_000);

it('command-worker: SIGTERM while a command runs stops the worker gracefully, and the command completes on a new worker with one charge', async () => {
  const worker = await startCommandWorker();
  const { url } = await startCommandApi();
  // "flaky": the gateway fails twice before approving, so the command is still running when the signal lands.
  const accepted = await fetch(`${url}/payments`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/json', prefer: 'respond-async' },
    body: JSON.stringify({ organizationId: ORG, amount: '56.78', currency: 'EUR', metadata: { simulate: 'flaky' } }),
  });
  expect(accepted.status).toBe(202);
  const { commandId } = (await accepted.json()) as { commandId: string };
  const handle = temporal.workflow.getHandle(commandWorkflowId(commandId));
  // The worker has picked the command up (its activities are local: they run inside the workflow task).
  await waitFor('the worker to pick the command up', async () => {
    const history = await handle.fetchHistory();
    return history.events?.some((event) => event.workflowTaskStartedEventAttributes) ? true : undefined;
  });

  expect(await worker.kill('SIGTERM')).toEqual({ code: 0, signal: null });
  expect(worker.output().join('\n')).toContain('waiting for in-flight activities');

  await startCommandWorker();
  const status = await waitFor(
    'the command to complete',
    async () => {
      const response = await fetch(`${url}/commands/${commandId}`, { headers: AUTH });
      const body = (await response.json()) as { state: string; result?: { paymentId: string; status: string } };
      return body.state === 'running' ? undefined : body;
    },
    { timeoutMs: 120_000 },
  );
  expect(status).toMatchObject({ state: 'completed', result: { status: 'processed' } });
  const paymentId = status.result!.paymentId;
  expect(await eventTypesOf(paymentId)).toEqual(['PaymentInitiated', 'PaymentProcessed']);
  // Money moved once, whatever was retried.
  const charges = await sql<{
    captures: string;
  }>`SELECT coalesce(sum(captures), 0) AS captures FROM simulated_gateway_charges WHERE payment_id = ${paymentId}`.execute(
    eventStore,
  );
  expect(Number(charges.rows[0]!.captures)).toBe(1);
}, 600_000);
