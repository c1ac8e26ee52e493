/**
 * `kill -9` of the projection worker in the middle of a batch: after a restart, every read model
 * equals a rebuild from scratch (the domain's fold of the event store).
 *
 * How the kill lands mid-batch: the test locks the three read-model tables against writes in its own transaction,
 * appends more payments, and waits until each projection's batch is blocked inside its read-db
 * transaction (checkpoint row locked, events read, writing the read model). Then SIGKILL; the dead
 * worker's backends are terminated, the locks released, more payments appended while no projection
 * worker runs, and a new worker process started.
 *
 * SIGTERM, by contrast, stops the followers between two batches: the worker exits 0 on its own, in
 * seconds (not after the 10 s its long-running activities would otherwise be given), and a new
 * worker continues from the checkpoints.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from 'pg';
import { readProjectionStatuses } from '@gyroscops/projections';
import { startFaultStack, type FaultStack } from './support/fault-stack';
import { createPayments } from './support/create-payments';
import { countAllEvents } from './support/event-store-facts';
import { backendsWaitingOnLock, testSession } from './support/postgres-faults';
import { PROJECTION_COUNT, waitForProjectionsCaughtUp } from './support/projections-caught-up';
import { readModelDifferences, referenceReadModels } from '@gyroscops/read-models';
import { waitFor } from '@gyroscops/dev-infra';

const READ_MODEL_TABLES = ['payments', 'payment_statistics', 'event_counts'];

let stack: FaultStack;
let session: Client;

beforeAll(async () => {
  stack = await startFaultStack({ start: ['command-worker', 'projection-worker', 'command-api'] });
  session = await testSession(stack.postgres.readDatabaseUrl);
});

afterAll(async () => {
  await session?.end().catch(() => undefined);
  await stack?.stop();
});

it('after kill -9 mid-batch and a restart, every read model equals a rebuild from scratch', async () => {
  await createPayments(stack.commandUrl, 12);
  await waitForProjectionsCaughtUp(stack.readDb, stack.eventStore);
  const before = new Map(
    (await readProjectionStatuses(stack.readDb, stack.eventStore)).map((status) => [status.name, status.position]),
  );

  // EXCLUSIVE blocks every write and lets reads through. Not ACCESS EXCLUSIVE: that one takes a transaction
  // id (it is WAL-logged for standbys), which would hold back the event store's read horizon and keep the
  // projections from reading anything at all.
  await session.query('BEGIN');
  await session.query(`LOCK TABLE ${READ_MODEL_TABLES.join(', ')} IN EXCLUSIVE MODE`);
  expect((await session.query('SELECT pg_current_xact_id_if_assigned() AS xid')).rows[0].xid).toBeNull();
  await createPayments(stack.commandUrl, 12);
  const blocked = await waitFor('every projection batch to be blocked inside its transaction', async () => {
    // A batch holds its checkpoint row locked (so its transaction has an id) while it writes the read model.
    const blockedNow = await backendsWaitingOnLock(session, stack.databaseNames[1]!, 'relation');
    const waiting = blockedNow.filter((backend) => backend.writing);
    if (waiting.length < PROJECTION_COUNT) throw new Error(`blocked so far: ${JSON.stringify(blockedNow)}`);
    return waiting;
  });
  expect(blocked.every((backend) => backend.application === 'projection-worker')).toBe(true);

  const exit = await stack.service('projection-worker').kill('SIGKILL');
  expect(exit.signal).toBe('SIGKILL');
  // The dead worker's backends would wait for the locks until Postgres noticed the sockets: end them now.
  await session.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ANY($1) AND application_name = 'projection-worker'`,
    [stack.databaseNames],
  );
  await session.query('ROLLBACK');

  // Nothing of the interrupted batches was committed: every blocked projection's checkpoint is where it
  // was. Projections with no payment event to apply (invoices, organizations) only moved their checkpoints.
  const afterKill = await readProjectionStatuses(stack.readDb, stack.eventStore);
  for (const status of afterKill.filter((each) => READ_MODEL_TABLES.includes(each.name))) {
    expect(status.position).toBe(before.get(status.name));
    expect(status.lagEvents).toBeGreaterThan(0);
  }
  await createPayments(stack.commandUrl, 6);

  await stack.service('projection-worker').start();
  await waitForProjectionsCaughtUp(stack.readDb, stack.eventStore);

  expect(await readModelDifferences(stack.eventStore, stack.readDb)).toEqual([]);
  const reference = await referenceReadModels(stack.eventStore);
  expect(reference.payments.size).toBe(30);
  expect(reference.eventTotal).toBe(await countAllEvents(stack.eventStore));
});

it('on SIGTERM the worker stops its followers between batches and exits 0 by itself; a new worker continues from the checkpoints', async () => {
  await createPayments(stack.commandUrl, 4);
  await waitForProjectionsCaughtUp(stack.readDb, stack.eventStore);

  // Well within an orchestrator's grace period (Kubernetes: 30 s), and below the 10 s the followers were given before.
  const exited = await Promise.race([
    stack.service('projection-worker').kill('SIGTERM'),
    sleep(8_000).then(() => 'still running after 8 s'),
  ]);
  expect(exited).toEqual({ code: 0, signal: null });
  expect(stack.service('projection-worker').output().join('\n')).not.toMatch(/"level":(50|60)/);

  await createPayments(stack.commandUrl, 3);
  await stack.service('projection-worker').start();
  await waitForProjectionsCaughtUp(stack.readDb, stack.eventStore);
  expect(await readModelDifferences(stack.eventStore, stack.readDb)).toEqual([]);
  expect((await referenceReadModels(stack.eventStore)).payments.size).toBe(37);
});
