/**
 * The command-api while Temporal does not answer: starting a command, waiting for its result and
 * reading `GET /commands/{id}` each answer a problem+json 503 with Retry-After (a client retries
 * with its Idempotency-Key), never a 500. Temporal is reached through a TCP relay the test closes,
 * or not at all (a port nobody listens on).
 */
import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Connection } from '@temporalio/client';
import { createTestEnvironment, freePort, waitFor, type TestEnvironment } from '@gyroscops/dev-infra';
import { eventStoreMigrations, type EventStoreDb } from '@gyroscops/event-store';
import { idempotencyMigrations, type IdempotencyDb } from '@gyroscops/idempotency';
import {
  createDatabase,
  createMetricsRegistry,
  DEV_JWT_SECRET,
  lazyTemporalClient,
  mintToken,
  runMigrations,
  type HttpApp,
} from '@gyroscops/platform';
import { buildCommandApi } from './app';

let env: TestEnvironment;
let eventStore: EventStoreDb;
let idempotencyDb: IdempotencyDb;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  env = await createTestEnvironment();
  eventStore = createDatabase({ url: env.eventStoreDatabaseUrl });
  idempotencyDb = createDatabase({ url: env.eventStoreDatabaseUrl });
  await runMigrations(eventStore, eventStoreMigrations);
  await runMigrations(idempotencyDb, idempotencyMigrations);
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await Promise.all([eventStore?.destroy(), idempotencyDb?.destroy()]);
  await env?.dispose();
});

/** A TCP relay to `target`; `close` refuses new connections and cuts the open ones, as a dead server would. */
async function startRelay(target: string): Promise<{ address: string; close(): Promise<void> }> {
  const [host, port] = target.split(':') as [string, string];
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = connect(Number(port), host);
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('relay has no port');
  return {
    address: `127.0.0.1:${address.port}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

async function startCommandApi(temporalAddress: string, taskQueue: string): Promise<HttpApp> {
  const temporal = lazyTemporalClient({ address: temporalAddress, namespace: env.namespace });
  const app = await buildCommandApi({
    temporal,
    eventStore,
    idempotencyDb,
    log: { level: 'silent', pretty: false },
    auth: { kind: 'secret', secret: DEV_JWT_SECRET },
    metrics: createMetricsRegistry('command-api'),
    resultTimeoutMs: 55_000,
    idempotencyTtlMs: 60_000,
    taskQueue,
  });
  closers.push(
    () => app.close(),
    () => temporal.connection.close(),
  );
  return app;
}

const authorization = `Bearer ${mintToken(DEV_JWT_SECRET, { sub: 'user-1', orgs: ['org-1'] })}`;

const createPayment = (app: HttpApp, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: '/payments',
    headers: { authorization, ...headers },
    payload: { organizationId: 'org-1', amount: '12.50', currency: 'EUR', paymentId: randomUUID() },
  });

function expectUnavailable(response: Awaited<ReturnType<HttpApp['inject']>>): void {
  expect({ status: response.statusCode, type: response.headers['content-type'] }).toEqual({
    status: 503,
    type: expect.stringContaining('application/problem+json') as unknown,
  });
  expect(response.headers['retry-after']).toBe('5');
  expect(response.json()).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
}

it('answers 503 problem+json with Retry-After to a command and a command status while Temporal is unreachable', async () => {
  const app = await startCommandApi(`127.0.0.1:${await freePort()}`, `unreachable-${env.uniqueId}`);
  const [command, status] = await Promise.all([
    createPayment(app, { 'idempotency-key': randomUUID() }),
    app.inject({ method: 'GET', url: `/commands/${randomUUID()}`, headers: { authorization } }),
  ]);
  expectUnavailable(command);
  expectUnavailable(status);
});

it('answers 503 problem+json with Retry-After when Temporal goes away while the command api waits for the result', async () => {
  // No worker polls this queue: the command starts, then waits for a result that cannot come.
  const taskQueue = `no-worker-${env.uniqueId}`;
  const relay = await startRelay(env.temporalAddress);
  closers.push(() => relay.close());
  const app = await startCommandApi(relay.address, taskQueue);

  const answer = createPayment(app);
  const observer = await Connection.connect({ address: env.temporalAddress });
  closers.push(() => observer.close());
  await waitFor('the command workflow to be started', async () => {
    const open = await observer.workflowService.listOpenWorkflowExecutions({
      namespace: env.namespace,
      maximumPageSize: 100,
    });
    return (open.executions ?? []).some((execution) => execution.taskQueue === taskQueue);
  });
  await relay.close();

  expectUnavailable(await answer);
});
