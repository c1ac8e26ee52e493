/**
 * The billing read side over real HTTP: `GET /organizations/{organizationId}`, `GET /invoices` and
 * `GET /invoices/{invoiceId}` through the generated client, against the whole stack (the projection
 * worker keeps the invoices and organizations read models). Plans and usage go through the command
 * API; invoice and account events are decided by the domain's deciders and appended to the event
 * store directly, as the invoice payment process appends them. Every read sends X-Min-Position with
 * the position of the last write it depends on, so no assertion waits or polls: read-your-writes is
 * what makes them pass. How we know no event is lost or applied twice: the read models are compared
 * at the end with the domain's fold of the event store (readModelDifferences).
 */
import { randomUUID } from 'node:crypto';
import {
  INVOICE_STREAM_TYPE,
  invoiceStreamId,
  ORGANIZATION_ACCOUNT_STREAM_TYPE,
  organizationAccountStreamId,
} from '@gyroscops/contracts/workflows';
import { waitFor } from '@gyroscops/dev-infra';
import {
  decideInvoice,
  decideOrganizationAccount,
  foldInvoice,
  foldOrganizationAccount,
  isDomainError,
  type InvoiceCommand,
  type InvoiceEvent,
  type OrganizationAccountCommand,
  type OrganizationAccountEvent,
} from '@gyroscops/domain';
import { appendToStream, headPosition } from '@gyroscops/event-store';
import { withTablesOf } from '@gyroscops/platform';
import { readCheckpoints, type ProjectionTables } from '@gyroscops/projections';
import { readModelDifferences } from '@gyroscops/read-models';
import { answer, apiClients, grantOrganizations, ran, type ApiClients } from './support/http-client';
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;
let api: ApiClients;
const organization = grantOrganizations(randomUUID());
/** The caller's too, but it never gets a plan. */
const withoutPlan = grantOrganizations(randomUUID());
/** Nobody's token names it. */
const foreign = randomUUID();
const wait = (position: string | bigint) => ({ 'x-min-position': String(position), 'x-wait-ms': '10000' });

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClients(stack);
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

const HOUR = 3_600_000;
const at = (ms: number) => new Date(ms).toISOString();

/** One stream (an invoice's, an account's) written as its process writes it: decide on the fold, append at its version. */
class DecidedStream<Command, Event extends { type: string; data: object }> {
  readonly events: Event[] = [];
  position = 0n;
  constructor(
    private readonly streamId: string,
    private readonly streamType: string,
    private readonly organizationId: string,
    private readonly decide: (events: Event[], command: Command, now: string) => Event[] | Error,
  ) {}

  async run(command: Command, now = new Date().toISOString()): Promise<void> {
    const decision = this.decide(this.events, command, now);
    if (decision instanceof Error || isDomainError(decision)) throw decision;
    const result = await appendToStream(stack.eventStore, {
      streamId: this.streamId,
      streamType: this.streamType,
      expectedVersion: this.events.length === 0 ? 'no_stream' : this.events.length,
      events: decision.map((event) => ({
        eventId: randomUUID(),
        type: event.type,
        data: event.data as Record<string, unknown>,
        metadata: { organizationId: this.organizationId },
      })),
    });
    this.events.push(...decision);
    this.position = result.lastPosition;
  }
}

const invoiceStream = (organizationId: string, invoiceId: string) =>
  new DecidedStream<InvoiceCommand, InvoiceEvent>(
    invoiceStreamId(invoiceId),
    INVOICE_STREAM_TYPE,
    organizationId,
    (events, command, now) => decideInvoice(foldInvoice(events), command, now),
  );

/** An invoice of `organizationId` for the hour starting at `periodStart`: a base fee and one usage line. */
async function issueInvoice(organizationId: string, sequence: number, periodStart: number) {
  const invoiceId = randomUUID();
  const stream = invoiceStream(organizationId, invoiceId);
  await stream.run({
    type: 'IssueInvoice',
    data: {
      invoiceId,
      organizationId,
      number: `2026-${String(sequence).padStart(6, '0')}`,
      cycleSequence: sequence,
      currency: 'EUR',
      periodStart: at(periodStart),
      periodEnd: at(periodStart + HOUR),
      lines: [
        { kind: 'base_fee', meter: null, quantity: '1', unitPrice: '10.00', amount: '10.00', late: false },
        { kind: 'usage', meter: 'cpu_seconds', quantity: '3600', unitPrice: '0.000012', amount: '0.04', late: false },
      ],
      total: '10.04',
      dunning: ['P1D', 'P3D'],
    },
  });
  return { invoiceId, stream };
}

/** Starts a payment of the invoice and records the gateway's answer. */
async function attempt(
  stream: DecidedStream<InvoiceCommand, InvoiceEvent>,
  invoiceId: string,
  outcome: 'approved' | 'declined',
): Promise<string> {
  const paymentId = randomUUID();
  await stream.run({ type: 'StartInvoicePayment', data: { invoiceId, paymentId } });
  await stream.run({
    type: 'RecordInvoicePaymentResult',
    data:
      outcome === 'approved'
        ? { invoiceId, paymentId, outcome }
        : { invoiceId, paymentId, outcome, reason: 'card_declined' },
  });
  return paymentId;
}

const T0 = Date.UTC(2026, 0, 5, 0);
let invoices: { invoiceId: string; stream: DecidedStream<InvoiceCommand, InvoiceEvent> }[] = [];
let foreignInvoice: string;
let lastPosition = 0n;

describe('the billing read side over HTTP', () => {
  beforeAll(async () => {
    // Four invoices of the organization, one period each: paid, past due (one declined attempt), open, open.
    invoices = [];
    for (let sequence = 1; sequence <= 4; sequence += 1)
      invoices.push(await issueInvoice(organization, sequence, T0 + (sequence - 1) * HOUR));
    await attempt(invoices[0]!.stream, invoices[0]!.invoiceId, 'approved');
    await attempt(invoices[1]!.stream, invoices[1]!.invoiceId, 'declined');
    const other = await issueInvoice(foreign, 1, T0);
    foreignInvoice = other.invoiceId;
    lastPosition = other.stream.position;
  });

  it("shows an organization's plan, current cycle, unbilled usage priced half-even and what it owes", async () => {
    const plan = await answer(
      api.command.PUT('/organizations/{organizationId}/billing-plan', {
        params: { path: { organizationId: organization } },
        body: {
          currency: 'EUR',
          cycle: 'P1M',
          baseFee: '10.00',
          meters: { cpu_seconds: { unitPrice: '0.000012', aggregation: 'sum' } },
        },
      }),
    );
    expect(plan.status).toBe(200);
    const records = Array.from({ length: 3 }, () => ({
      recordId: randomUUID(),
      organizationId: organization,
      meter: 'cpu_seconds',
      quantity: '1234.5678',
      occurredAt: new Date().toISOString(),
    }));
    const usage = ran(await api.command.POST('/usage', { body: { records } }));

    const view = await api.query.GET('/organizations/{organizationId}', {
      params: { path: { organizationId: organization }, header: wait(usage.position) },
    });

    expect(view.response.status).toBe(200);
    expect(BigInt(view.response.headers.get('x-projection-position') ?? '0')).toBeGreaterThanOrEqual(
      BigInt(usage.position),
    );
    // 3 x 1234.5678 = 3703.7034 CPU seconds x 0.000012 = 0.0444444408 EUR: 0.04. Three invoices owe 10.04 each.
    expect(view.data).toEqual({
      organizationId: organization,
      status: 'active',
      plan: {
        currency: 'EUR',
        cycle: 'P1M',
        baseFee: '10.00',
        meters: { cpu_seconds: { unitPrice: '0.000012', aggregation: 'sum' } },
        dunning: ['P1D', 'P3D', 'P7D'],
      },
      pendingPlan: null,
      currentCycle: {
        sequence: 1,
        start: (plan.body as { effectiveFrom: string }).effectiveFrom,
        end: expect.any(String),
      },
      unbilled: { cpu_seconds: { quantity: '3703.7034', amount: '0.04' } },
      outstanding: '30.12',
      outstandingByCurrency: { EUR: '30.12' },
      version: 2,
    });
  });

  it('shows the suspension the dunning process records, and the outstanding amount once an invoice is paid', async () => {
    const account = new DecidedStream<OrganizationAccountCommand, OrganizationAccountEvent>(
      organizationAccountStreamId(organization),
      ORGANIZATION_ACCOUNT_STREAM_TYPE,
      organization,
      (events, command, now) => decideOrganizationAccount(foldOrganizationAccount(events), command, now),
    );
    await account.run({
      type: 'SuspendOrganization',
      data: { organizationId: organization, invoiceId: invoices[1]!.invoiceId },
    });
    const suspended = await api.query.GET('/organizations/{organizationId}', {
      params: { path: { organizationId: organization }, header: wait(account.position) },
    });
    expect(suspended.data).toMatchObject({ status: 'suspended', outstanding: '30.12' });

    await attempt(invoices[1]!.stream, invoices[1]!.invoiceId, 'approved');
    await account.run({
      type: 'ReinstateOrganization',
      data: { organizationId: organization, invoiceId: invoices[1]!.invoiceId },
    });
    const reinstated = await api.query.GET('/organizations/{organizationId}', {
      params: { path: { organizationId: organization }, header: wait(account.position) },
    });
    expect(reinstated.data).toMatchObject({ status: 'active', outstanding: '20.08' });
    lastPosition = account.position;
  });

  it('answers 404 for an organization without a plan and for one that is not the caller’s', async () => {
    for (const organizationId of [withoutPlan, foreign]) {
      const missing = await answer(
        api.query.GET('/organizations/{organizationId}', {
          params: { path: { organizationId }, header: wait(lastPosition) },
        }),
      );
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toContain('application/problem+json');
      expect(missing.body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    }
  });

  it('shows one invoice with its lines, payments and dunning, with an ETag; another organization’s is a 404', async () => {
    const [paid, pastDue] = invoices as [(typeof invoices)[0], (typeof invoices)[0]];
    const view = await api.query.GET('/invoices/{invoiceId}', {
      params: { path: { invoiceId: pastDue.invoiceId }, header: wait(lastPosition) },
    });
    expect(view.response.status).toBe(200);
    expect(view.data).toMatchObject({
      invoiceId: pastDue.invoiceId,
      organizationId: organization,
      number: '2026-000002',
      status: 'paid',
      currency: 'EUR',
      periodStart: at(T0 + HOUR),
      periodEnd: at(T0 + 2 * HOUR),
      total: '10.04',
      amountPaid: '10.04',
      amountRefunded: '0.00',
      attempts: 2,
      nextAttemptAt: null,
      version: 5,
    });
    expect(view.data?.lines).toHaveLength(2);
    expect(view.data?.paymentIds).toHaveLength(2);
    expect(view.response.headers.get('etag')).toBe('"5"');
    const notModified = await api.query.GET('/invoices/{invoiceId}', {
      params: {
        path: { invoiceId: paid.invoiceId },
        header: { ...wait(lastPosition), 'if-none-match': '"3"' } as never,
      },
    });
    expect(notModified.response.status).toBe(304);

    for (const invoiceId of [foreignInvoice, randomUUID()]) {
      const hidden = await answer(
        api.query.GET('/invoices/{invoiceId}', { params: { path: { invoiceId }, header: wait(lastPosition) } }),
      );
      expect(hidden.status).toBe(404);
      expect(hidden.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it("searches the caller's invoices newest period first, by status and period, walking cursors", async () => {
    const all = await api.query.GET('/invoices', {
      params: { query: { organizationId: organization }, header: wait(lastPosition) },
    });
    expect(all.data?.total).toBe(4);
    expect(all.data?.items.map((item) => item.invoiceId)).toEqual(invoices.map((i) => i.invoiceId).reverse());

    // Without organizationId: every organization of the token, never the foreign one.
    const scoped = await api.query.GET('/invoices', { params: { query: {}, header: wait(lastPosition) } });
    expect(scoped.data?.items.map((item) => item.organizationId)).toEqual(Array(4).fill(organization));

    const open = await api.query.GET('/invoices', {
      params: { query: { organizationId: organization, status: ['open', 'past_due'] }, header: wait(lastPosition) },
    });
    expect(open.data?.items.map((item) => item.invoiceId)).toEqual([invoices[3]!.invoiceId, invoices[2]!.invoiceId]);

    const period = await api.query.GET('/invoices', {
      params: {
        query: { organizationId: organization, periodFrom: at(T0 + HOUR), periodTo: at(T0 + 3 * HOUR) },
        header: wait(lastPosition),
      },
    });
    expect(period.data?.items.map((item) => item.number)).toEqual(['2026-000003', '2026-000002']);

    const walked: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.query.GET('/invoices', {
        params: { query: { organizationId: organization, limit: 1, cursor }, header: wait(lastPosition) },
      });
      expect(page.response.status).toBe(200);
      walked.push(...(page.data?.items ?? []).map((item) => item.invoiceId));
      cursor = page.data?.nextCursor ?? undefined;
    } while (cursor !== undefined && walked.length < 10);
    expect(walked).toEqual(invoices.map((i) => i.invoiceId).reverse());
  });

  it('refuses bad filters and cursors with 400 problem+json, and another organization with 403; nothing changes', async () => {
    const before = await api.query.GET('/invoices', {
      params: { query: { organizationId: organization, limit: 2 }, header: wait(lastPosition) },
    });
    const cursor = before.data!.nextCursor!;
    const refused = [
      await answer(api.query.GET('/invoices', { params: { query: { status: ['bogus' as never] } } })),
      await answer(api.query.GET('/invoices', { params: { query: { periodFrom: 'yesterday' } } })),
      await answer(api.query.GET('/invoices', { params: { query: { periodFrom: '2026-02-30T00:00:00Z' } } })),
      await answer(api.query.GET('/invoices', { params: { query: { periodFrom: at(T0 + HOUR), periodTo: at(T0) } } })),
      await answer(api.query.GET('/invoices', { params: { query: { cursor: 'not-a-cursor' } } })),
      // A cursor of another query (other filters) would skip or repeat invoices.
      await answer(
        api.query.GET('/invoices', { params: { query: { organizationId: organization, status: ['open'], cursor } } }),
      ),
      await answer(api.query.GET('/invoices', { params: { query: { organizationId: organization, limit: 0 } } })),
      await answer(api.query.GET('/invoices', { params: { query: { unknown: 'x' } as never } })),
      await answer(api.query.GET('/invoices/{invoiceId}', { params: { path: { invoiceId: 'not-a-uuid' } } })),
    ];
    for (const problem of refused) {
      expect(problem.status).toBe(400);
      expect(problem.headers.get('content-type')).toContain('application/problem+json');
      expect(problem.body).toMatchObject({ status: 400, code: 'VALIDATION' });
    }
    const forbidden = await answer(api.query.GET('/invoices', { params: { query: { organizationId: foreign } } }));
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('content-type')).toContain('application/problem+json');

    // Reads change nothing: the same page and the same cursor as before.
    const after = await api.query.GET('/invoices', {
      params: { query: { organizationId: organization, limit: 2 }, header: wait(lastPosition) },
    });
    expect(after.data).toEqual(before.data);
  });

  it('every read model equals the fold of the event store: no event lost or applied twice', async () => {
    const head = await headPosition(stack.eventStore);
    await waitFor('every projection at the head of the event store', async () =>
      (await readCheckpoints(withTablesOf<ProjectionTables>(stack.readDb))).every(
        (checkpoint) => checkpoint.position >= head && checkpoint.state === 'live',
      ),
    );
    expect(await readModelDifferences(stack.eventStore, stack.readDb)).toEqual([]);
  });
});
