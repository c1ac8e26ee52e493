/**
 * `kill -9` of the command worker after the gateway charged and before PaymentProcessed is appended.
 *
 * How the kill lands in that window, every time: the test installs a trigger on the event store's
 * `events` table (in its own throw-away database; no production code changes) that makes an insert of
 * a PaymentProcessed event wait for an advisory lock the test holds. The test waits until the
 * gateway's ledger shows the capture committed AND the worker's append is blocked inside its
 * transaction, then kills the worker with SIGKILL. The blocked backend of the dead worker is
 * terminated (as Postgres would once it noticed the dead socket), so the append never commits.
 * A new worker process must then finish the command without charging again.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { startFaultStack, type FaultStack } from './support/fault-stack';
import { eventTypesOf, gatewayChargesOf } from './support/event-store-facts';
import { request, type CommandResult } from './support/http';
import { backendsWaitingOnLock, testSession } from './support/postgres-faults';
import { waitFor } from '@gyroscops/dev-infra';

const HOLD_LOCK = 600_601;

let stack: FaultStack;
let session: Client;

beforeAll(async () => {
  stack = await startFaultStack();
  session = await testSession(stack.postgres.eventStoreDatabaseUrl);
  await session.query(`
    CREATE FUNCTION fault_hold_payment_processed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.type = 'PaymentProcessed' THEN PERFORM pg_advisory_xact_lock_shared(${HOLD_LOCK}); END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER fault_hold_payment_processed BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION fault_hold_payment_processed();
  `);
});

afterAll(async () => {
  await session?.end().catch(() => undefined);
  await stack?.stop();
});

it('after kill -9 between the charge and the append, a restarted worker completes the command: one capture, one PaymentProcessed', async () => {
  await session.query('SELECT pg_advisory_lock($1)', [HOLD_LOCK]);
  const paymentId = randomUUID();
  const accepted = await request<{ commandId: string }>(stack.commandUrl, 'POST', '/payments', {
    json: { organizationId: 'org-fault-a', amount: '42.00', currency: 'EUR', paymentId },
    headers: { prefer: 'respond-async' },
  });
  expect(accepted.status).toBe(202);

  // The window: money has moved (committed in the ledger) and the PaymentProcessed append is in flight.
  const blocked = await waitFor('the charge to be captured and the PaymentProcessed append to be blocked', async () => {
    const [charges, waiting] = await Promise.all([
      gatewayChargesOf(stack.gatewayDb, paymentId),
      backendsWaitingOnLock(session, stack.databaseNames[0]!, 'advisory'),
    ]);
    return charges[0]?.captures === 1 && waiting.length > 0 ? waiting : undefined;
  });
  expect(blocked.every((backend) => backend.application === 'command-worker')).toBe(true);
  expect(await eventTypesOf(stack.eventStore, paymentId)).toEqual(['PaymentInitiated']);

  const exit = await stack.service('command-worker').kill('SIGKILL');
  expect(exit.signal).toBe('SIGKILL');
  // The dead worker's backend would sit on the lock until Postgres noticed the socket: end it now, then let go.
  await session.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [
    blocked.map((backend) => backend.pid),
  ]);
  await session.query('SELECT pg_advisory_unlock($1)', [HOLD_LOCK]);
  expect(await eventTypesOf(stack.eventStore, paymentId)).toEqual(['PaymentInitiated']);
  expect((await request(stack.commandUrl, 'GET', `/commands/${accepted.body.commandId}`)).body).toMatchObject({
    state: 'running',
  });

  await stack.service('command-worker').start();
  const finished = await waitFor(
    'the command to complete on the restarted worker',
    async () => {
      const answer = await request<{ state: string; result?: CommandResult }>(
        stack.commandUrl,
        'GET',
        `/commands/${accepted.body.commandId}`,
      );
      return answer.body.state === 'running' ? undefined : answer.body;
    },
    { timeoutMs: 120_000, intervalMs: 250 },
  );

  expect(finished).toMatchObject({ state: 'completed', result: { paymentId, status: 'processed', version: 2 } });
  expect(await eventTypesOf(stack.eventStore, paymentId)).toEqual(['PaymentInitiated', 'PaymentProcessed']);
  const charges = await gatewayChargesOf(stack.gatewayDb, paymentId);
  expect(charges).toHaveLength(1);
  expect(charges[0]).toMatchObject({ captures: 1, outcome: 'approved' });
});
