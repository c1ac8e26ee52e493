/**
 * `kill -9` of the command worker while an admin's close of a billing cycle is half done: the
 * cycle's BillingCycleClosed is committed on the organization's stream, its InvoiceIssued is being
 * appended on the invoice's stream.
 *
 * How the kill lands in that window, every time: a trigger on the event store's `events` table (in
 * the test's own throw-away database) makes an insert of an InvoiceIssued event wait for an
 * advisory lock the test holds. The test waits until the close is committed AND the worker's
 * invoice append is blocked, kills the worker with SIGKILL and terminates its blocked backend (so
 * the append never commits). The workflow task that loaded the stream never completed, so the new
 * worker runs it again from the start, on a stream whose current cycle is already the next one.
 *
 * How we know nothing is lost or done twice: the organization's stream holds exactly one close, of
 * cycle 1 (never cycle 2 as well); the invoice's stream exactly one InvoiceIssued, numbered
 * <year>-000001; the repeated request under the Idempotency-Key answers that invoice; and the
 * invoice's payment process makes exactly one payment (one InvoicePaymentStarted, one InvoicePaid).
 */
import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { organizationBillingStreamId } from '@gyroscops/contracts';
import { invoiceStreamId } from '@gyroscops/contracts/workflows';
import { waitFor } from '@gyroscops/dev-infra';
import { readStream } from '@gyroscops/event-store';
import { startFaultStack, type FaultStack } from './support/fault-stack';
import { bearer, request } from './support/http';
import { backendsWaitingOnLock, testSession } from './support/postgres-faults';

const HOLD_LOCK = 600_611;

let stack: FaultStack;
let session: Client;

beforeAll(async () => {
  stack = await startFaultStack({ start: ['command-api', 'command-worker'] });
  session = await testSession(stack.postgres.eventStoreDatabaseUrl);
  await session.query(`
    CREATE FUNCTION fault_hold_invoice_issued() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.type = 'InvoiceIssued' THEN PERFORM pg_advisory_xact_lock_shared(${HOLD_LOCK}); END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER fault_hold_invoice_issued BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION fault_hold_invoice_issued();
  `);
});

afterAll(async () => {
  await session?.end().catch(() => undefined);
  await stack?.stop();
});

it('after kill -9 between the close and its invoice, a restarted worker issues that invoice once and closes nothing more', async () => {
  const organizationId = randomUUID();
  const admin = { authorization: bearer({ sub: 'fault-admin', orgs: [organizationId], roles: ['admin'] }) };
  const plan = await request(stack.commandUrl, 'PUT', `/organizations/${organizationId}/billing-plan`, {
    json: { currency: 'EUR', cycle: 'P1D', baseFee: '7.00', meters: { cpu: { unitPrice: '0.5', aggregation: 'sum' } } },
    headers: admin,
  });
  expect(plan.status).toBe(200);
  const usage = await request(stack.commandUrl, 'POST', '/usage', {
    json: {
      records: [
        { recordId: randomUUID(), organizationId, meter: 'cpu', quantity: '3', occurredAt: new Date().toISOString() },
      ],
    },
    headers: admin,
  });
  expect(usage.status).toBe(202);

  await session.query('SELECT pg_advisory_lock($1)', [HOLD_LOCK]);
  const key = `close-${randomUUID()}`;
  const close = () =>
    request<{ cycleSequence: number; invoiceId?: string }>(
      stack.commandUrl,
      'POST',
      `/organizations/${organizationId}/billing-cycle/close`,
      { headers: { ...admin, 'idempotency-key': key }, timeoutMs: 120_000 },
    );
  // The first request's answer is lost with the worker; the same key asks again below.
  const lost = close().catch(() => undefined);

  const closesOf = async () =>
    (await readStream(stack.eventStore, organizationBillingStreamId(organizationId))).filter(
      (event) => event.type === 'BillingCycleClosed',
    );
  const blocked = await waitFor('the close to commit and its InvoiceIssued append to be blocked', async () => {
    const [closes, waiting] = await Promise.all([
      closesOf(),
      backendsWaitingOnLock(session, stack.databaseNames[0]!, 'advisory'),
    ]);
    return closes.length === 1 && waiting.length > 0 ? waiting : undefined;
  });
  expect(blocked.every((backend) => backend.application === 'command-worker')).toBe(true);
  const invoiceId = ((await closesOf())[0]!.data.invoice as { invoiceId: string }).invoiceId;

  const exit = await stack.service('command-worker').kill('SIGKILL');
  expect(exit.signal).toBe('SIGKILL');
  await session.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [
    blocked.map((backend) => backend.pid),
  ]);
  await session.query('SELECT pg_advisory_unlock($1)', [HOLD_LOCK]);
  expect(await readStream(stack.eventStore, invoiceStreamId(invoiceId))).toEqual([]);

  await stack.service('command-worker').start();
  const answered = await waitFor(
    'the close to answer on the restarted worker',
    async () => {
      const answer = await close();
      return answer.status === 202 ? answer.body : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  await lost;

  expect(answered).toMatchObject({ cycleSequence: 1, invoiceId });
  const closes = await closesOf();
  expect(closes.map((event) => event.data.cycleSequence)).toEqual([1]);
  const paid = await waitFor(
    "the invoice's payment process to pay it",
    async () => {
      const events = await readStream(stack.eventStore, invoiceStreamId(invoiceId));
      return events.some((event) => event.type === 'InvoicePaid') ? events : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  expect(paid.filter((event) => event.type === 'InvoiceIssued')).toHaveLength(1);
  expect(paid[0]).toMatchObject({ type: 'InvoiceIssued', data: { number: `${new Date().getUTCFullYear()}-000001` } });
  expect(paid.filter((event) => event.type === 'InvoicePaymentStarted')).toHaveLength(1);
  expect(paid.filter((event) => event.type === 'InvoicePaid')).toHaveLength(1);
  // Still exactly one close: the rerun did not close cycle 2.
  expect((await closesOf()).map((event) => event.data.cycleSequence)).toEqual([1]);
});
