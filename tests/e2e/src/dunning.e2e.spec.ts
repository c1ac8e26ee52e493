/**
 * Dunning end to end, over HTTP through the generated client: a payment method the simulated
 * gateway declines, an invoice's payment process with second-long waits (past_due, retries,
 * uncollectible, the organization suspended), a good payment method, POST /invoices/{id}/pay (paid,
 * active again), void, and bad input to every invoice command route. The invoice is issued as the
 * billing process issues it (InvoiceIssued decided by the domain, then its payment process started).
 *
 * How we know no payment is made or applied twice: every payment stream of the event store naming
 * the invoice is counted (one per attempt, the invoice's paymentIds exactly), the gateway's ledger
 * holds one charge row per payment and one capture, and the invoice and account streams are
 * compared event by event, before and after each refused request.
 */
import { randomUUID } from 'node:crypto';
import {
  INVOICE_PAYMENT_WORKFLOW,
  INVOICE_STREAM_TYPE,
  invoicePaymentWorkflowId,
  invoiceStreamId,
  organizationAccountStreamId,
  TASK_QUEUES,
} from '@gyroscops/contracts';
import { waitFor } from '@gyroscops/dev-infra';
import {
  decideInvoice,
  foldInvoice,
  isDomainError,
  type InvoiceEvent,
  type IssuedInvoiceState,
} from '@gyroscops/domain';
import { appendToStream, readStream } from '@gyroscops/event-store';
import { startWorkflow } from '@gyroscops/platform';
import { sql } from 'kysely';
import { answer, apiClients, bearer, grantOrganizations, malformed, type ApiClients } from './support/http-client';
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;
let api: ApiClients;
// A billed organization's id is a lower-case UUID.
const organizations = { dunning: randomUUID(), voided: randomUUID(), refused: randomUUID() };
grantOrganizations(...Object.values(organizations));
const foreign = randomUUID();
const notUuid = grantOrganizations(`org-${randomUUID().slice(0, 8)}`);

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClients(stack);
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

/** Issues a 12.50 EUR invoice and starts its payment process, as the billing process does. */
async function issueInvoice(organizationId: string, dunning: string[]): Promise<string> {
  const invoiceId = randomUUID();
  const decision = decideInvoice(
    foldInvoice([]),
    {
      type: 'IssueInvoice',
      data: {
        invoiceId,
        organizationId,
        number: '2026-000001',
        cycleSequence: 1,
        currency: 'EUR',
        periodStart: '2026-11-01T00:00:00.000Z',
        periodEnd: '2026-12-01T00:00:00.000Z',
        lines: [{ kind: 'base_fee', meter: null, quantity: '1', unitPrice: '12.50', amount: '12.50', late: false }],
        total: '12.50',
        dunning,
      },
    },
    new Date().toISOString(),
  );
  if (isDomainError(decision)) throw decision;
  await appendToStream(stack.eventStore, {
    streamId: invoiceStreamId(invoiceId),
    streamType: INVOICE_STREAM_TYPE,
    expectedVersion: 'no_stream',
    events: decision.map((event) => ({
      eventId: randomUUID(),
      type: event.type,
      data: event.data as unknown as Record<string, unknown>,
      metadata: { organizationId },
      schemaVersion: 1,
    })),
  });
  await startWorkflow(stack.temporal, INVOICE_PAYMENT_WORKFLOW, {
    taskQueue: TASK_QUEUES.commands,
    workflowId: invoicePaymentWorkflowId(invoiceId),
    args: [{ invoiceId, organizationId }],
  });
  return invoiceId;
}

async function invoiceOf(invoiceId: string) {
  const events = await readStream(stack.eventStore, invoiceStreamId(invoiceId));
  const state = foldInvoice(events.map((e) => ({ type: e.type, data: e.data }) as InvoiceEvent));
  return { events: events.map((e) => e.type), state: state as IssuedInvoiceState };
}

const accountEvents = async (organizationId: string) =>
  (await readStream(stack.eventStore, organizationAccountStreamId(organizationId))).map((e) => e.type);

/** The ids of every payment stream whose PaymentInitiated names the invoice. */
async function paymentsOf(invoiceId: string): Promise<string[]> {
  const { rows } = await sql<{ payment_id: string }>`
    SELECT data->>'paymentId' AS payment_id FROM events
    WHERE type = 'PaymentInitiated' AND data->>'invoiceId' = ${invoiceId}`.execute(stack.eventStore);
  return rows.map((row) => row.payment_id);
}

const setPaymentMethod = (organizationId: string, metadata: Record<string, string>, key?: string) =>
  answer(
    api.command.PUT('/organizations/{organizationId}/payment-method', {
      params: { path: { organizationId }, header: key ? { 'idempotency-key': key } : {} },
      body: { metadata },
    }),
  );
const pay = (invoiceId: string, key?: string, headers: Record<string, string> = {}) =>
  answer(
    api.command.POST('/invoices/{invoiceId}/pay', {
      params: { path: { invoiceId }, header: key ? { 'idempotency-key': key } : {} },
      headers,
    }),
  );
const voidInvoice = (invoiceId: string, body: { reason: string }, headers: Record<string, string> = {}) =>
  answer(api.command.POST('/invoices/{invoiceId}/void', { params: { path: { invoiceId } }, body, headers }));

const processStatus = async (invoiceId: string) =>
  (await stack.temporal.workflow.getHandle(invoicePaymentWorkflowId(invoiceId)).describe()).status.name;

describe('invoice payment and dunning', () => {
  it('declines through every dunning wait, suspends, then a good payment method and pay: paid and active', async () => {
    const org = organizations.dunning;
    const declining = await setPaymentMethod(org, { simulate: 'decline' });
    expect(declining.status).toBe(200);
    expect(declining.body).toMatchObject({ organizationId: org, version: 1 });
    const invoiceId = await issueInvoice(org, ['PT1S', 'PT1S']);

    await waitFor('the first decline', async () => (await invoiceOf(invoiceId)).state.status === 'past_due');
    await waitFor(
      'the invoice to be uncollectible',
      async () => (await invoiceOf(invoiceId)).state.status === 'uncollectible',
    );
    await waitFor('the organization to be suspended', async () =>
      (await accountEvents(org)).includes('OrganizationSuspended'),
    );
    await waitFor('the process to end', async () => (await processStatus(invoiceId)) === 'COMPLETED');
    const dunned = await invoiceOf(invoiceId);
    expect(dunned.state).toMatchObject({ attempts: 3, declinedAttempts: 3 });
    expect(dunned.events.filter((type) => type === 'InvoicePaymentFailed')).toHaveLength(3);

    const good = await setPaymentMethod(org, { card: 'visa-4242' });
    expect(good.body).toMatchObject({ version: 3 });
    const key = randomUUID();
    const paid = await pay(invoiceId, key);
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({ status: 'processed', paymentId: expect.any(String), version: 2 });
    expect(paid.headers.get('etag')).toBe('"2"');
    // The same request again replays its answer: no second payment.
    const replayed = await pay(invoiceId, key);
    expect(replayed.status).toBe(201);
    expect(replayed.body).toEqual(paid.body);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');

    const invoice = await invoiceOf(invoiceId);
    expect(invoice.state).toMatchObject({ status: 'paid', attempts: 4, paidPaymentId: paid.body.paymentId });
    expect(await accountEvents(org)).toEqual([
      'OrganizationPaymentMethodSet',
      'OrganizationSuspended',
      'OrganizationPaymentMethodSet',
      'OrganizationReinstated',
    ]);
    const payments = await paymentsOf(invoiceId);
    expect(payments).toHaveLength(4);
    expect([...payments].sort()).toEqual([...invoice.state.paymentIds].sort());
    const ledger = await stack.gatewayDb
      .selectFrom('simulated_gateway_charges')
      .select(['payment_id', 'outcome'])
      .where('payment_id', 'in', payments)
      .execute();
    expect(ledger).toHaveLength(4);
    expect(ledger.filter((row) => row.outcome === 'approved')).toEqual([
      { payment_id: paid.body.paymentId, outcome: 'approved' },
    ]);

    // A paid invoice takes no other payment, nor a void: 409, nothing appended.
    const again = await pay(invoiceId);
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect((await voidInvoice(invoiceId, { reason: 'too late' })).status).toBe(409);
    expect((await invoiceOf(invoiceId)).events).toEqual(invoice.events);
    expect(await paymentsOf(invoiceId)).toHaveLength(4);
  }, 120_000);

  it('void ends the dunning process; a later pay is a 409 and makes no payment', async () => {
    const org = organizations.voided;
    await setPaymentMethod(org, { simulate: 'decline' });
    const invoiceId = await issueInvoice(org, ['P1D']);
    await waitFor('the first decline', async () => (await invoiceOf(invoiceId)).state.status === 'past_due');

    const voided = await voidInvoice(invoiceId, { reason: 'billed by mistake' });

    expect(voided.status).toBe(200);
    expect(voided.body).toMatchObject({ invoiceId, status: 'void', version: 4 });
    await waitFor('the process to end', async () => (await processStatus(invoiceId)) === 'COMPLETED');
    const before = await invoiceOf(invoiceId);
    const refused = await pay(invoiceId);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ status: 409 });
    expect((await invoiceOf(invoiceId)).events).toEqual(before.events);
    expect(await paymentsOf(invoiceId)).toHaveLength(1);
  }, 60_000);

  it('bad input to each route: a 4xx problem+json, and nothing appended', async () => {
    const org = organizations.refused;
    await setPaymentMethod(org, { simulate: 'decline' });
    const invoiceId = await issueInvoice(org, ['P1D']);
    await waitFor('the first decline', async () => (await invoiceOf(invoiceId)).state.status === 'past_due');
    const invoiceBefore = await invoiceOf(invoiceId);
    const accountBefore = await accountEvents(org);
    const problem = (status: number) => ({ status, body: expect.objectContaining({ status }) });
    const expectProblem = (response: { status: number; headers: Headers; body: unknown }, status: number) => {
      expect(response).toMatchObject(problem(status));
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    };

    // payment method: not flat, too many entries, an unknown field, another organization's.
    for (const body of [
      { metadata: { card: { number: '4242' } } },
      { metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) },
      { metadata: {}, extra: true },
      {},
    ]) {
      const refused = await answer(
        api.command.PUT('/organizations/{organizationId}/payment-method', {
          params: { path: { organizationId: org } },
          body: malformed(body),
        }),
      );
      expectProblem(refused, 400);
    }
    expectProblem(await setPaymentMethod(foreign, { card: 'x' }), 404);
    expectProblem(await setPaymentMethod(notUuid, { card: 'x' }), 400);
    expect(await accountEvents(notUuid)).toEqual([]);

    // pay: not a UUID, no such invoice, another organization's invoice.
    expectProblem(await pay('not-a-uuid'), 400);
    expectProblem(await pay(randomUUID()), 404);
    const outsider = bearer({ sub: 'outsider', orgs: [foreign], roles: ['admin'] });
    expectProblem(await pay(invoiceId, undefined, { authorization: outsider }), 404);

    // void: no reason, an empty one, an unknown field, not an admin, another organization's.
    for (const body of [{}, { reason: '' }, { reason: 'x', extra: 1 }]) {
      expectProblem(await voidInvoice(invoiceId, malformed(body)), 400);
    }
    const member = bearer({ sub: 'member', orgs: [org], roles: [] });
    expectProblem(await voidInvoice(invoiceId, { reason: 'x' }, { authorization: member }), 403);
    expectProblem(await voidInvoice(invoiceId, { reason: 'x' }, { authorization: outsider }), 404);

    expect((await invoiceOf(invoiceId)).events).toEqual(invoiceBefore.events);
    expect(await accountEvents(org)).toEqual(accountBefore);
    expect(await accountEvents(foreign)).toEqual([]);
    expect(await paymentsOf(invoiceId)).toHaveLength(1);
    expect(await processStatus(invoiceId)).toBe('RUNNING');
  }, 60_000);
});
