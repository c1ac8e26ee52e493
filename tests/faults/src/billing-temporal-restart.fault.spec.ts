/**
 * The Temporal dev server killed (SIGKILL) and started again on its SQLite file while an
 * organization's billing process sleeps on its durable timer until the cycle's end. The timer is in
 * Temporal's persistence, not in a worker's memory, so once Temporal is back the process wakes at the
 * cycle's end and closes it, then the next one, each exactly once.
 *
 * How we know nothing is lost or done twice: the organization's stream holds the closes of cycles
 * 1, 2, ... in order, each once; every close's invoice has exactly one InvoiceIssued with the next
 * gap-free number; cycle 1's invoice bills every usage record sent before the restart (and cycle 2's
 * every record sent after it), once; every invoice is paid by exactly one payment, with one capture
 * in the gateway's ledger.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { organizationBillingStreamId } from '@gyroscops/contracts';
import { invoiceStreamId } from '@gyroscops/contracts/workflows';
import { sleep, waitFor } from '@gyroscops/dev-infra';
import { readStream } from '@gyroscops/event-store';
import { startFaultStack, type FaultStack } from './support/fault-stack';
import { allGatewayCharges } from './support/event-store-facts';
import { bearer, request } from './support/http';

/** Long enough for the restart to fall inside the first cycle, short enough for a test. */
const CYCLE = 'PT8S';

let stack: FaultStack;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'gyro-fault-billing-temporal-'));
  stack = await startFaultStack({
    temporalDbFile: join(dataDir, 'temporal.db'),
    start: ['command-api', 'command-worker'],
  });
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it('a billing process sleeping through a Temporal restart closes each cycle once, and bills every record once', async () => {
  const organizationId = randomUUID();
  const admin = { authorization: bearer({ sub: 'fault-admin', orgs: [organizationId], roles: ['admin'] }) };
  const plan = await request(stack.commandUrl, 'PUT', `/organizations/${organizationId}/billing-plan`, {
    json: { currency: 'EUR', cycle: CYCLE, baseFee: '1.00', meters: { cpu: { unitPrice: '0.5', aggregation: 'sum' } } },
    headers: admin,
  });
  expect(plan.status).toBe(200);
  /** Sends one record until it is answered with something other than a 5xx (Temporal may be down). */
  const sendRecord = async (quantity: string) => {
    const idempotencyKey = randomUUID();
    const record = {
      recordId: randomUUID(),
      organizationId,
      meter: 'cpu',
      quantity,
      occurredAt: new Date().toISOString(),
    };
    return waitFor(
      'the usage record to be accepted',
      async () => {
        const answer = await request<{ accepted: number }>(stack.commandUrl, 'POST', '/usage', {
          json: { records: [record] },
          headers: { ...admin, 'idempotency-key': idempotencyKey },
          timeoutMs: 30_000,
        }).catch(() => undefined);
        return answer && answer.status < 500 ? answer : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 300 },
    );
  };
  // Cycle 1's usage, accepted before the restart: the plan command started the billing process,
  // which is now asleep until the cycle's end.
  expect(await sendRecord('3')).toMatchObject({ status: 202, body: { accepted: 1 } });

  await stack.restartTemporal('SIGKILL', () => sleep(2_000));

  const closes = async () =>
    (await readStream(stack.eventStore, organizationBillingStreamId(organizationId))).filter(
      (event) => event.type === 'BillingCycleClosed',
    );
  // Usage sent once the first cycle is closed belongs to the second.
  await waitFor(
    'the first cycle to close after the restart',
    async () => ((await closes()).length >= 1 ? true : undefined),
    {
      timeoutMs: 120_000,
      intervalMs: 250,
    },
  );
  expect(await sendRecord('5')).toMatchObject({ status: 202, body: { accepted: 1 } });
  const closed = await waitFor(
    'the second cycle to close',
    async () => {
      const events = await closes();
      return events.length >= 2 ? events : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 250 },
  );

  const sequences = closed.map((event) => event.data.cycleSequence as number);
  expect(sequences).toEqual(sequences.map((_, index) => index + 1));
  const year = new Date().getUTCFullYear();
  const invoices = closed.slice(0, 2).map((event) => (event.data.invoice as { invoiceId: string }).invoiceId);
  const paid: Awaited<ReturnType<typeof readStream>>[] = [];
  for (const [index, invoiceId] of invoices.entries()) {
    const events = await waitFor(
      `invoice ${index + 1} to be paid`,
      async () => {
        const stream = await readStream(stack.eventStore, invoiceStreamId(invoiceId));
        return stream.some((event) => event.type === 'InvoicePaid') ? stream : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    expect(events.map((event) => event.type)).toEqual(['InvoiceIssued', 'InvoicePaymentStarted', 'InvoicePaid']);
    expect(events[0]!.data.number).toBe(`${year}-${String(index + 1).padStart(6, '0')}`);
    paid.push(events);
  }
  // Every record billed once: 3 cpu on cycle 1's invoice, 5 on cycle 2's (each with the base fee).
  const cpuBilled = (events: (typeof paid)[number]) =>
    (events[0]!.data.lines as { meter: string | null; quantity: string }[]).find((line) => line.meter === 'cpu')
      ?.quantity;
  expect(paid.map(cpuBilled)).toEqual(['3', '5']);
  expect(paid.map((events) => events[0]!.data.total)).toEqual(['2.50', '3.50']);
  // One payment per invoice, one capture each.
  const paymentIds = paid.map((events) => events[1]!.data.paymentId as string);
  const charges = (await allGatewayCharges(stack.gatewayDb)).filter((charge) => paymentIds.includes(charge.payment_id));
  expect(charges).toHaveLength(2);
  for (const charge of charges) expect(charge).toMatchObject({ captures: 1, outcome: 'approved' });
});
