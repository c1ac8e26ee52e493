/**
 * The billing cycle over HTTP, through the generated client: a plan starts the organization's
 * billing process; usage is priced when a cycle closes (an admin's close, or the cycle's timer);
 * the invoice lands on its own stream; its payment process starts once per invoice.
 *
 * How we know nothing is lost or billed twice: every check reads the event store (the organization's
 * stream, the invoices' streams, the usage record claims) and compares the invoices with a fold of
 * the stored UsageRecorded events, record by record; Temporal's visibility counts the payment
 * process executions per invoice.
 */
import { randomUUID } from 'node:crypto';
import { organizationBillingStreamId } from '@gyroscops/contracts';
import { billingProcessWorkflowId, invoicePaymentWorkflowId, invoiceStreamId } from '@gyroscops/contracts/workflows';
import { waitFor } from '@gyroscops/dev-infra';
import { readStream, type RecordedEvent } from '@gyroscops/event-store';
import { answer, apiClients, bearer, grantOrganizations, type ApiClients } from './support/http-client';
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;
let api: ApiClients;

beforeAll(async () => {
  stack = await startTestStack({ withoutProjectionWorker: true });
  api = apiClients(stack);
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

type Aggregation = 'sum' | 'count' | 'max';
type PlanBody = {
  currency: string;
  cycle: string;
  baseFee?: string | null;
  meters: Record<string, { unitPrice: string; aggregation: Aggregation }>;
};
type Line = { kind: string; meter: string | null; quantity: string; unitPrice: string; amount: string; late: boolean };

const newOrganization = () => grantOrganizations(randomUUID());

const setPlan = async (organizationId: string, body: PlanBody) => {
  const set = await answer(
    api.command.PUT('/organizations/{organizationId}/billing-plan', { params: { path: { organizationId } }, body }),
  );
  expect(set.status).toBe(200);
  return set.body as { effectiveFrom: string };
};

const sendUsage = (records: { organizationId: string; meter: string; quantity: string; occurredAt?: string }[]) =>
  answer(
    api.command.POST('/usage', {
      body: {
        records: records.map((r) => ({
          recordId: randomUUID(),
          occurredAt: new Date().toISOString(),
          ...r,
        })),
      },
    }),
  );

const closeCycle = (organizationId: string, options: { key?: string; authorization?: string } = {}) =>
  answer(
    api.command.POST('/organizations/{organizationId}/billing-cycle/close', {
      params: { path: { organizationId }, header: options.key ? { 'idempotency-key': options.key } : {} },
      headers: options.authorization ? { authorization: options.authorization } : {},
    }),
  );

const organizationEvents = (organizationId: string) =>
  readStream(stack.eventStore, organizationBillingStreamId(organizationId));
const closes = async (organizationId: string) =>
  (await organizationEvents(organizationId)).filter((event) => event.type === 'BillingCycleClosed');
const invoiceEvents = (invoiceId: string) => readStream(stack.eventStore, invoiceStreamId(invoiceId));
const issued = async (invoiceId: string) => {
  const events = await invoiceEvents(invoiceId);
  expect(events[0]?.type).toBe('InvoiceIssued');
  return events[0]!.data as { number: string; total: string; lines: Line[]; cycleSequence: number; currency: string };
};

/** How many executions Temporal has of the invoice's payment process (visibility lags a little). */
async function paymentProcessRuns(invoiceId: string): Promise<number> {
  let runs = 0;
  for await (const execution of stack.temporal.workflow.list({
    query: `WorkflowId = '${invoicePaymentWorkflowId(invoiceId)}'`,
  })) {
    if (execution.workflowId === invoicePaymentWorkflowId(invoiceId)) runs += 1;
  }
  return runs;
}

/** Waits until the invoice's payment process was started, then checks it was started once. */
async function expectOnePaymentProcess(invoiceId: string): Promise<void> {
  await waitFor(`the payment process of invoice ${invoiceId}`, async () => (await paymentProcessRuns(invoiceId)) > 0);
  expect(await paymentProcessRuns(invoiceId)).toBe(1);
}

/** A decimal string times another, rounded half-even to cents: the test's own arithmetic, in bigints. */
function cents(quantity: string, unitPrice: string): string {
  const scaled = (value: string) => {
    const [whole, fraction = ''] = value.split('.');
    return BigInt(whole + fraction.padEnd(12, '0'));
  };
  const product = scaled(quantity) * scaled(unitPrice); // 10^24
  const divisor = 10n ** 22n;
  let result = product / divisor;
  const remainder = product % divisor;
  if (remainder * 2n > divisor || (remainder * 2n === divisor && result % 2n === 1n)) result += 1n;
  return `${result / 100n}.${String(result % 100n).padStart(2, '0')}`;
}

const year = () => new Date().getUTCFullYear();

describe('an admin closes a cycle', () => {
  const PLAN: PlanBody = {
    currency: 'EUR',
    cycle: 'P1D',
    baseFee: '10.00',
    meters: {
      cpu_seconds: { unitPrice: '0.000012345678', aggregation: 'sum' },
      memory_gb: { unitPrice: '0.5', aggregation: 'max' },
      requests: { unitPrice: '0.0005', aggregation: 'count' },
    },
  };

  it('issues the invoice with exact half-even lines, numbers invoices in sequence and starts each payment once', async () => {
    const organizationId = newOrganization();
    await setPlan(organizationId, PLAN);
    await waitFor('the billing process to run', async () => {
      const description = await stack.temporal.workflow.getHandle(billingProcessWorkflowId(organizationId)).describe();
      return description.status.name === 'RUNNING';
    });
    const usage = await sendUsage([
      { organizationId, meter: 'cpu_seconds', quantity: '1000000' },
      { organizationId, meter: 'cpu_seconds', quantity: '234567.891' },
      { organizationId, meter: 'memory_gb', quantity: '3' },
      { organizationId, meter: 'memory_gb', quantity: '7.25' },
      { organizationId, meter: 'memory_gb', quantity: '2' },
      ...Array.from({ length: 25 }, () => ({ organizationId, meter: 'requests', quantity: '1' })),
    ]);
    expect(usage.body).toMatchObject({ accepted: 30, duplicates: 0 });

    const first = await closeCycle(organizationId, { key: `close-${randomUUID()}` });

    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ organizationId, cycleSequence: 1, invoiceId: expect.any(String) });
    const invoiceId = (first.body as { invoiceId: string }).invoiceId;
    const invoice = await issued(invoiceId);
    // 1,234,567.891 x 0.000012345678 = 15.2415776514... -> 15.24; max 7.25 x 0.5 = 3.625 -> 3.62 (half
    // to even); 25 requests x 0.0005 = 0.0125 -> 0.01 (half to even); the total is the sum of the lines.
    expect(cents('1234567.891', '0.000012345678')).toBe('15.24');
    expect(invoice).toMatchObject({ number: `${year()}-000001`, currency: 'EUR', cycleSequence: 1, total: '28.87' });
    expect(invoice.lines).toEqual([
      { kind: 'base_fee', meter: null, quantity: '1', unitPrice: '10.00', amount: '10.00', late: false },
      {
        kind: 'usage',
        meter: 'cpu_seconds',
        quantity: '1234567.891',
        unitPrice: '0.000012345678',
        amount: '15.24',
        late: false,
      },
      { kind: 'usage', meter: 'memory_gb', quantity: '7.25', unitPrice: '0.50', amount: '3.62', late: false },
      { kind: 'usage', meter: 'requests', quantity: '25', unitPrice: '0.0005', amount: '0.01', late: false },
    ]);
    await expectOnePaymentProcess(invoiceId);

    // The next cycle: its own invoice, the next number.
    expect((await sendUsage([{ organizationId, meter: 'cpu_seconds', quantity: '800000' }])).status).toBe(202);
    const second = await closeCycle(organizationId);
    expect(second.status).toBe(202);
    expect(second.body).toMatchObject({ cycleSequence: 2 });
    const secondId = (second.body as { invoiceId: string }).invoiceId;
    expect(secondId).not.toBe(invoiceId);
    const next = await issued(secondId);
    expect(next).toMatchObject({
      number: `${year()}-000002`,
      total: (10 + Number(cents('800000', '0.000012345678'))).toFixed(2),
    });
    await expectOnePaymentProcess(secondId);

    // Two closes, two invoices, one issue each.
    expect((await closes(organizationId)).map((event) => event.data.cycleSequence)).toEqual([1, 2]);
    expect((await invoiceEvents(invoiceId)).filter((event) => event.type === 'InvoiceIssued')).toHaveLength(1);
    expect((await invoiceEvents(secondId)).filter((event) => event.type === 'InvoiceIssued')).toHaveLength(1);
  });

  it('answers a repeated close under its Idempotency-Key with the same close, not a second one', async () => {
    const organizationId = newOrganization();
    await setPlan(organizationId, PLAN);
    expect((await sendUsage([{ organizationId, meter: 'requests', quantity: '1' }])).status).toBe(202);
    const key = `close-${randomUUID()}`;

    const first = await closeCycle(organizationId, { key });
    const repeated = await closeCycle(organizationId, { key });

    expect(first.status).toBe(202);
    expect(repeated.status).toBe(202);
    expect(repeated.body).toEqual(first.body);
    expect(repeated.headers.get('idempotent-replayed')).toBe('true');
    expect(await closes(organizationId)).toHaveLength(1);
  });

  it('closes an empty cycle without base fee without an invoice, and starts no payment', async () => {
    const organizationId = newOrganization();
    await setPlan(organizationId, { ...PLAN, baseFee: null });

    const closed = await closeCycle(organizationId);

    expect(closed.status).toBe(202);
    expect(closed.body).toMatchObject({ cycleSequence: 1 });
    expect(closed.body).not.toHaveProperty('invoiceId');
    const [event] = await closes(organizationId);
    expect(event?.data).toMatchObject({ cycleSequence: 1, invoice: null });
  });
});

describe('bad close requests', () => {
  const PLAN: PlanBody = { currency: 'EUR', cycle: 'P1D', meters: { cpu: { unitPrice: '1', aggregation: 'sum' } } };

  const expectProblem = (response: { status: number; headers: Headers }, status: number) => {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  };
  const streamsOf = async (organizationId: string) =>
    (
      await stack.eventStore
        .selectFrom('events')
        .select('event_id')
        .where('stream_id', 'in', [`organization-billing-${organizationId}`])
        .execute()
    ).length;

  it('answers 404 for an organization without a plan, and creates nothing', async () => {
    const organizationId = newOrganization();

    expectProblem(await closeCycle(organizationId), 404);
    expect(await streamsOf(organizationId)).toBe(0);
  });

  it("answers 404 for another organization's cycle, 403 for a non-admin, 400 for an id that is no UUID; nothing closes", async () => {
    const organizationId = newOrganization();
    await setPlan(organizationId, PLAN);
    expect((await sendUsage([{ organizationId, meter: 'cpu', quantity: '2' }])).status).toBe(202);
    const before = await organizationEvents(organizationId);

    expectProblem(
      await closeCycle(organizationId, {
        authorization: bearer({ sub: 'other-admin', orgs: [randomUUID()], roles: ['admin'] }),
      }),
      404,
    );
    expectProblem(
      await closeCycle(organizationId, { authorization: bearer({ sub: 'member', orgs: [organizationId], roles: [] }) }),
      403,
    );
    const notUuid = grantOrganizations(`org-${randomUUID().slice(0, 8)}`);
    expectProblem(await closeCycle(notUuid), 400);
    expect(await streamsOf(notUuid)).toBe(0);
    expectProblem(await closeCycle(organizationId, { key: 'k'.repeat(201) }), 400);

    expect(await organizationEvents(organizationId)).toEqual(before);
  });
});

describe('the billing process closes cycles on its timer', () => {
  it('closes each cycle once, in order, at its scheduled end, and invoices the usage once', async () => {
    const organizationId = newOrganization();
    const { effectiveFrom } = await setPlan(organizationId, {
      currency: 'EUR',
      cycle: 'PT2S',
      meters: { cpu: { unitPrice: '0.25', aggregation: 'sum' } },
    });
    const posted = await sendUsage([
      { organizationId, meter: 'cpu', quantity: '3', occurredAt: effectiveFrom },
      { organizationId, meter: 'cpu', quantity: '5', occurredAt: effectiveFrom },
    ]);
    expect(posted.body).toMatchObject({ accepted: 2 });

    await waitFor('three cycles closed by the timer', async () => (await closes(organizationId)).length >= 3, {
      timeoutMs: 60_000,
    });
    const closed = (await closes(organizationId)).map(
      (event) =>
        event.data as {
          cycleSequence: number;
          periodStart: string;
          periodEnd: string;
          invoice: { invoiceId: string } | null;
        },
    );

    // Consecutive sequences, each period starting where the last ended, each PT2S long: none skipped or repeated.
    closed.forEach((cycle, i) => {
      expect(cycle.cycleSequence).toBe(i + 1);
      expect(Date.parse(cycle.periodEnd) - Date.parse(cycle.periodStart)).toBe(2_000);
      if (i > 0) expect(cycle.periodStart).toBe(closed[i - 1]!.periodEnd);
    });
    expect(closed[0]!.periodStart).toBe(effectiveFrom);
    const invoiced = closed.filter((cycle) => cycle.invoice !== null);
    expect(invoiced).toHaveLength(1);
    const invoice = await issued(invoiced[0]!.invoice!.invoiceId);
    expect(invoice).toMatchObject({ number: `${year()}-000001`, total: '2.00' });
    await expectOnePaymentProcess(invoiced[0]!.invoice!.invoiceId);
  });
});

describe('usage racing a close', () => {
  it('bills every batch posted while the cycle closes exactly once across the two invoices', async () => {
    const organizationId = newOrganization();
    await setPlan(organizationId, {
      currency: 'EUR',
      cycle: 'P1D',
      meters: { cpu: { unitPrice: '0.01', aggregation: 'sum' } },
    });
    const batches = 12;
    const perBatch = 10;
    const quantities = Array.from({ length: batches }, (_, b) => String(b + 1));

    const sent = quantities.map((quantity) =>
      sendUsage(Array.from({ length: perBatch }, () => ({ organizationId, meter: 'cpu', quantity }))),
    );
    const firstClose = closeCycle(organizationId);
    const answers = await Promise.all(sent);
    const first = await firstClose;
    const second = await closeCycle(organizationId);

    for (const posted of answers) expect(posted.body).toMatchObject({ accepted: perBatch, duplicates: 0 });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    const firstInvoice = (first.body as { invoiceId?: string }).invoiceId;
    const secondInvoice = (second.body as { invoiceId?: string }).invoiceId;
    expect(first.body).toMatchObject({ cycleSequence: 1 });
    expect(second.body).toMatchObject({ cycleSequence: 2 });

    // The fold of the stored events: which close each accepted record was billed by.
    const events: RecordedEvent[] = await organizationEvents(organizationId);
    let closedSoFar = 0;
    const billedBy = new Map<number, bigint>([
      [1, 0n],
      [2, 0n],
    ]);
    const recordIds = new Set<string>();
    for (const event of events) {
      if (event.type === 'BillingCycleClosed') closedSoFar = event.data.cycleSequence as number;
      if (event.type !== 'UsageRecorded') continue;
      for (const record of event.data.records as { recordId: string; quantity: string }[]) {
        expect(recordIds.has(record.recordId)).toBe(false);
        recordIds.add(record.recordId);
        const cycle = closedSoFar + 1;
        billedBy.set(cycle, (billedBy.get(cycle) ?? 0n) + BigInt(record.quantity));
      }
    }
    expect(recordIds.size).toBe(batches * perBatch);
    const claims = await stack.eventStore
      .selectFrom('usage_record_claims')
      .select('record_id')
      .where('organization_id', '=', organizationId)
      .execute();
    expect(claims).toHaveLength(batches * perBatch);

    const billedQuantity = async (invoiceId: string | undefined) =>
      invoiceId === undefined
        ? 0n
        : (await issued(invoiceId)).lines.reduce((sum, line) => sum + BigInt(line.quantity), 0n);
    const total = BigInt(perBatch) * quantities.reduce((sum, q) => sum + BigInt(q), 0n);
    expect((await billedQuantity(firstInvoice)) + (await billedQuantity(secondInvoice))).toBe(total);
    expect(await billedQuantity(firstInvoice)).toBe(billedBy.get(1));
    expect(await billedQuantity(secondInvoice)).toBe(billedBy.get(2));
    expect((await closes(organizationId)).map((event) => event.data.cycleSequence)).toEqual([1, 2]);
  });
});
