/**
 * The projection admin routes when Temporal cannot do what they ask: unreachable Temporal is a 503
 * problem+json with Retry-After, a projection whose workflow is not running is a 409, an unknown
 * projection a 404; never a 500. Each refusal changes nothing: the checkpoint stays where it was and
 * no workflow execution of the projection starts running (a rebuild refused while Temporal was away did not
 * start after all, so no batch can be applied twice by a second runner).
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import type Redis from 'ioredis';
import type { Kysely } from 'kysely';
import { PROJECTIONS, projectionRebuildWorkflowId, projectionWorkflowId } from '@gyroscops/contracts';
import { createTestEnvironment, freePort, type TestEnvironment } from '@gyroscops/dev-infra';
import { eventStoreMigrations, type EventStoreDb } from '@gyroscops/event-store';
import {
  createDatabase,
  createMetricsRegistry,
  createRedis,
  DEV_JWT_SECRET,
  lazyTemporalClient,
  mintToken,
  runMigrations,
  withTablesOf,
  type HttpApp,
} from '@gyroscops/platform';
import {
  ensureCheckpoint,
  projectionMigrations,
  ProjectionPositionTracker,
  readCheckpoints,
  type ProjectionTables,
} from '@gyroscops/projections';
import { readModelMigrations, type PaymentReadTables } from '@gyroscops/read-models';
import { buildQueryApi } from '../app';
import { DEFAULT_CACHE_SETTINGS } from '../query-bus/cache-settings';

let env: TestEnvironment;
let readDb: Kysely<ProjectionTables>;
let eventStore: EventStoreDb;
let temporal: Client;
const closers: (() => Promise<unknown> | void)[] = [];
/** A projection name no other test file of this worker's namespace uses for its workflows. */
const projection = PROJECTIONS.payments;

beforeAll(async () => {
  env = await createTestEnvironment();
  readDb = createDatabase({ url: env.readDatabaseUrl });
  eventStore = createDatabase({ url: env.eventStoreDatabaseUrl });
  await runMigrations(eventStore, eventStoreMigrations);
  await runMigrations(readDb, projectionMigrations);
  await runMigrations(readDb, readModelMigrations);
  await ensureCheckpoint(readDb, projection, 1);
  const connection = await Connection.connect({ address: env.temporalAddress });
  temporal = new Client({ connection, namespace: env.namespace });
  closers.push(() => connection.close());
  // The namespace is this Jest worker's: a workflow an earlier file left running under these ids is not this test's.
  for (const workflowId of [projectionWorkflowId(projection), projectionRebuildWorkflowId(projection)])
    await temporal.workflow
      .getHandle(workflowId)
      .terminate('projection admin route test')
      .catch((error: unknown) => {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      });
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await Promise.all([readDb?.destroy(), eventStore?.destroy()]);
  await env?.dispose();
});

async function startQueryApi(client: Client): Promise<HttpApp> {
  const config = { url: env.redisUrl, keyPrefix: env.redisPrefix };
  const redis: Redis = createRedis(config, { name: 'projections-test-cache', commandTimeoutMs: 5_000 });
  const subscriber: Redis = createRedis(config, { name: 'projections-test-subscriber', offlineQueue: true });
  const tracker = new ProjectionPositionTracker(withTablesOf<ProjectionTables>(readDb), subscriber, env.redisPrefix);
  await tracker.start();
  const app = await buildQueryApi({
    auth: { kind: 'secret', secret: DEV_JWT_SECRET },
    readDb: withTablesOf<PaymentReadTables>(readDb),
    eventStore,
    redis,
    subscriber,
    tracker,
    log: { level: 'silent', pretty: false },
    metrics: createMetricsRegistry('query-api'),
    consistency: { defaultWaitMs: 2_000, maxWaitMs: 10_000 },
    cache: { keyPrefix: env.redisPrefix, ...DEFAULT_CACHE_SETTINGS },
    temporal: client,
  });
  closers.push(async () => {
    await app.close();
    tracker.stop();
    redis.disconnect();
    subscriber.disconnect();
  });
  return app;
}

const admin = `Bearer ${mintToken(DEV_JWT_SECRET, { sub: 'operator-1', orgs: [], roles: ['admin'] })}`;
const ACTIONS = ['rebuild', 'resume', 'dead-letters/retry'] as const;
const act = (app: HttpApp, action: string, name: string = projection) =>
  app.inject({ method: 'POST', url: `/projections/${name}/${action}`, headers: { authorization: admin } });

async function checkpointRow() {
  const [checkpoint] = await readCheckpoints(readDb, [projection]);
  return checkpoint;
}

/** Whether an execution with this id is running (closed ones other test files of the namespace left do not count). */
async function isRunning(workflowId: string): Promise<boolean> {
  try {
    return (await temporal.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

function expectProblem(response: Awaited<ReturnType<HttpApp['inject']>>, status: number, code: string): void {
  expect({ status: response.statusCode, type: response.headers['content-type'] }).toEqual({
    status,
    type: expect.stringContaining('application/problem+json') as unknown,
  });
  expect(response.json()).toMatchObject({ status, code });
}

it('answers 503 problem+json with Retry-After to every admin action while Temporal is unreachable, and starts nothing', async () => {
  const unreachable = lazyTemporalClient({ address: `127.0.0.1:${await freePort()}`, namespace: env.namespace });
  closers.push(() => unreachable.connection.close());
  const app = await startQueryApi(unreachable);
  const before = await checkpointRow();
  // Together: each waits out the Temporal client's own retries before giving up.
  for (const response of await Promise.all(ACTIONS.map((action) => act(app, action)))) {
    expectProblem(response, 503, 'UNAVAILABLE');
    expect(response.headers['retry-after']).toBe('5');
  }
  expect(await checkpointRow()).toEqual(before);
  expect(await isRunning(projectionRebuildWorkflowId(projection))).toBe(false);
}, 120_000);

it('answers 409 to resume and retry when the projection workflow is not running, and changes nothing', async () => {
  const app = await startQueryApi(temporal);
  const before = await checkpointRow();
  for (const action of ['resume', 'dead-letters/retry']) {
    const response = await act(app, action);
    expectProblem(response, 409, 'CONFLICT');
    expect(response.json().detail).toContain(`projection ${projection} is not running`);
  }
  expect(await checkpointRow()).toEqual(before);
  // A signal never starts a workflow: the projection's id still has no running execution.
  expect(await isRunning(projectionWorkflowId(projection))).toBe(false);
});

it('answers 404 for an unknown projection name on every action, and starts nothing', async () => {
  const app = await startQueryApi(temporal);
  const unknown = `unknown_${randomUUID().slice(0, 8)}`;
  for (const action of ACTIONS) {
    const response = await act(app, action, unknown);
    expectProblem(response, 404, 'NOT_FOUND');
    expect(response.json().detail).toBe(`no projection named ${unknown}`);
  }
  expect(await isRunning(projectionRebuildWorkflowId(unknown))).toBe(false);
  expect(await isRunning(projectionWorkflowId(unknown))).toBe(false);
});

it('GET /projections shows a halted rebuild with its error, as the schema documents', async () => {
  const app = await startQueryApi(temporal);
  await readDb
    .insertInto('projection_rebuilds')
    .values({
      projection,
      shadow_schema: 'rebuild_payments_test',
      version: 2,
      position: '0',
      events_done: '3',
      events_total: '10',
      state: 'halted',
      last_error: 'poison event 42',
    })
    .execute();
  try {
    const response = await app.inject({ method: 'GET', url: '/projections', headers: { authorization: admin } });
    expect(response.statusCode).toBe(200);
    const item = response.json().items.find((status: { name: string }) => status.name === projection);
    expect(item.rebuild).toMatchObject({ eventsDone: 3, eventsTotal: 10, halted: true, lastError: 'poison event 42' });
    expect(item.lastError).toBe('rebuild halted: poison event 42');
    const openapi = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(JSON.stringify(openapi)).toContain('A poison event stopped the rebuild');
  } finally {
    await readDb.deleteFrom('projection_rebuilds').where('projection', '=', projection).execute();
  }
});

it('documents 409 and 503 on the admin actions', async () => {
  const app = await startQueryApi(temporal);
  const openapi = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  for (const path of ['rebuild', 'resume', 'dead-letters/retry'])
    expect(Object.keys(openapi.paths[`/projections/{name}/${path}`].post.responses)).toEqual(
      expect.arrayContaining(['202', '404', '409', '503']),
    );
});
