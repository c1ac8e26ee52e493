import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { paymentStreamId } from '@gyroscops/contracts';
import { readStream } from '@gyroscops/event-store';
import { simulatedChargesOf } from '@gyroscops/payment-gateway';
import {
  answer,
  apiClients,
  bearer,
  grantOrganizations,
  malformed,
  rawBody,
  type ApiClients,
  type ApiResponse,
} from './support/http-client';
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;
let api: ApiClients;
const org = `org-${randomUUID().slice(0, 8)}`;
grantOrganizations(org, `${org}-other`);

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClients(stack);
  // Generous: the workflow bundles are built on a machine shared with other test runs.
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

type CreateBody = {
  organizationId: string;
  amount: string;
  currency: string;
  description?: string | null;
  paymentId?: string;
  metadata?: Record<string, string>;
};
type UpdateBody = { amount?: string; description?: string | null; metadata?: Record<string, string> };
/** The command-api's headers of a command (Idempotency-Key, If-Match, Prefer). */
type CommandHeaders = { 'idempotency-key'?: string; 'if-match'?: string; prefer?: string };

const create = (body: CreateBody, header: CommandHeaders = {}, headers: Record<string, string> = {}) =>
  answer(api.command.POST('/payments', { body, params: { header }, headers }));
const update = (paymentId: string, body: UpdateBody, header: CommandHeaders = {}) =>
  answer(api.command.PATCH('/payments/{paymentId}', { params: { path: { paymentId }, header }, body }));
const refund = (paymentId: string, body: { amount: string; reason?: string }, header: CommandHeaders = {}) =>
  answer(api.command.POST('/payments/{paymentId}/refunds', { params: { path: { paymentId }, header }, body }));
const remove = (paymentId: string, header: CommandHeaders = {}) =>
  answer(api.command.DELETE('/payments/{paymentId}', { params: { path: { paymentId }, header } }));
const commandState = (commandId: string) =>
  answer(api.command.GET('/commands/{commandId}', { params: { path: { commandId } } }));
const view = (
  paymentId: string,
  header: { 'x-min-position'?: string; 'x-wait-ms'?: string } = {},
  headers: Record<string, string> = {},
) => answer(api.query.GET('/payments/{paymentId}', { params: { path: { paymentId }, header }, headers }));

async function countEvents(): Promise<number> {
  const { rows } = await sql<{ count: string }>`select count(*) from events`.execute(stack.eventStore);
  return Number(rows[0]?.count ?? 0);
}

async function createPayment(body: Partial<CreateBody> = {}, header: CommandHeaders = {}) {
  const response = await create({ organizationId: org, amount: '100.00', currency: 'EUR', ...body }, header);
  expect(response.status).toBe(201);
  return response.body as { commandId: string; paymentId: string; status: string; version: number; position: string };
}

describe('a payment through both APIs', () => {
  it('is created, charged and readable on the query side at the position the command returned', async () => {
    const correlationId = randomUUID();
    const created = await create(
      { organizationId: org, amount: '100.00', currency: 'EUR', description: 'first', metadata: { order: 'A-1' } },
      {},
      { 'x-correlation-id': correlationId, authorization: bearer({ sub: 'user-42', orgs: [org] }) },
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'processed', version: 2 });
    expect(created.body.position).toMatch(/^\d+$/);
    expect(created.headers.get('etag')).toBe('"2"');
    expect(created.headers.get('x-correlation-id')).toBe(correlationId);

    const current = await view(created.body.paymentId, { 'x-min-position': created.body.position });
    expect(current.status).toBe(200);
    expect(BigInt(current.headers.get('x-projection-position') ?? '0')).toBeGreaterThanOrEqual(
      BigInt(created.body.position),
    );
    expect(current.body).toEqual({
      paymentId: created.body.paymentId,
      organizationId: org,
      userId: 'user-42',
      amount: '100.00',
      currency: 'EUR',
      status: 'processed',
      description: 'first',
      refundedAmount: '0.00',
      metadata: { order: 'A-1' },
      failureReason: null,
      invoiceId: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      version: 2,
    });
    expect(current.headers.get('etag')).toBe('"2"');
    const notModified = await view(created.body.paymentId, {}, { 'if-none-match': '"2"' });
    expect(notModified.status).toBe(304);

    // Every event of the request carries its correlation id, the user and the workflow that appended it.
    const events = await readStream(stack.eventStore, paymentStreamId(created.body.paymentId));
    expect(events.map((event) => event.type)).toEqual(['PaymentInitiated', 'PaymentProcessed']);
    for (const event of events) {
      expect(event.metadata).toMatchObject({
        correlationId,
        userId: 'user-42',
        organizationId: org,
        commandId: created.body.commandId,
        workflowId: `payment-command-${created.body.commandId}`,
        workflowRunId: expect.any(String),
        eventId: event.eventId,
        schemaVersion: 1,
      });
    }
  });

  it('is updated, refunded in parts, then deleted, with If-Match guarding each step', async () => {
    const created = await createPayment({ amount: '50.00' });
    const id = created.paymentId;

    const updated = await update(id, { description: 'renamed' }, { 'if-match': '"2"' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ version: 3, status: 'processed' });

    const eventsBefore = await countEvents();
    const stale = await update(id, { description: 'stale' }, { 'if-match': '"2"' });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const amountAfterProcessing = await update(id, { amount: '60.00' });
    expect(amountAfterProcessing.status).toBe(409);
    expect(await countEvents()).toBe(eventsBefore);

    const partial = await refund(id, { amount: '20.00', reason: 'damaged' });
    expect(partial.status).toBe(201);
    // Two facts per refund: RefundRequested, then PaymentRefunded once the gateway moved the money back.
    expect(partial.body).toMatchObject({ status: 'partially_refunded', version: 5 });
    const tooMuch = await refund(id, { amount: '30.01' });
    expect(tooMuch.status).toBe(409);
    const rest = await refund(id, { amount: '30.00' }, { 'if-match': '"5"' });
    expect(rest.status).toBe(201);
    expect(rest.body).toMatchObject({ status: 'refunded', version: 7 });
    const refundedView = await view(id, { 'x-min-position': rest.body.position });
    expect(refundedView.body).toMatchObject({
      status: 'refunded',
      refundedAmount: '50.00',
      description: 'renamed',
      version: 7,
    });

    const deleted = await remove(id);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ status: 'deleted', version: 8 });
    const gone = await view(id, { 'x-min-position': deleted.body.position });
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await update(id, { description: 'after delete' })).status).toBe(404);
    // The stream keeps every event after the delete.
    expect((await readStream(stack.eventStore, paymentStreamId(id))).map((event) => event.type)).toEqual([
      'PaymentInitiated',
      'PaymentProcessed',
      'PaymentUpdated',
      'RefundRequested',
      'PaymentRefunded',
      'RefundRequested',
      'PaymentRefunded',
      'PaymentDeleted',
    ]);
  });

  it('ends failed, with its reason, when the gateway declines', async () => {
    const created = await createPayment({ metadata: { simulate: 'decline' } });
    expect(created.status).toBe('failed');
    const failed = await view(created.paymentId, { 'x-min-position': created.position });
    expect(failed.body).toMatchObject({ status: 'failed', failureReason: 'card_declined' });
    const [charge] = await simulatedChargesOf(stack.gatewayDb, created.paymentId);
    expect(charge).toMatchObject({ outcome: 'declined', captures: 0 });
  });

  it('survives a flaky gateway through Temporal retries, charging once', async () => {
    const created = await createPayment({ metadata: { simulate: 'flaky' } });
    expect(created.status).toBe('processed');
    const charges = await simulatedChargesOf(stack.gatewayDb, created.paymentId);
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({ outcome: 'approved', attempts: 3, captures: 1 });
  });

  it('loses no update when commands on one payment race without If-Match', async () => {
    const created = await createPayment();
    const updates = await Promise.all(
      Array.from({ length: 5 }, (_, index) => update(created.paymentId, { metadata: { writer: String(index) } })),
    );
    expect(updates.map((update) => update.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(updates.map((update) => update.body.version))).toEqual(new Set([3, 4, 5, 6, 7]));
    const events = await readStream(stack.eventStore, paymentStreamId(created.paymentId));
    expect(events.filter((event) => event.type === 'PaymentUpdated')).toHaveLength(5);
  });
});

describe('bad input', () => {
  const valid = { organizationId: org, amount: '10.00', currency: 'EUR' };
  /** Bodies the client's types refuse go through `malformed()`; bytes that are not JSON at all through `bodySerializer`. */
  const cases: [string, number, () => Promise<ApiResponse>][] = [
    ['too many decimals for the currency', 400, () => create({ ...valid, amount: '10.001' })],
    ['decimals on a currency without minor unit', 400, () => create({ ...valid, amount: '10.5', currency: 'JPY' })],
    ['amount as a JSON number', 400, () => create(malformed({ ...valid, amount: 10 }))],
    ['a zero amount', 400, () => create({ ...valid, amount: '0.00' })],
    ['an unknown currency', 400, () => create({ ...valid, currency: 'XYZ' })],
    ['an unknown field', 400, () => create(malformed({ ...valid, colour: 'red' }))],
    [
      'too much metadata',
      400,
      () => create({ ...valid, metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }),
    ],
    ['a malformed payment id', 400, () => update('not-a-uuid', { description: 'x' })],
    ['an empty update', 400, () => update(randomUUID(), {})],
    ['a malformed If-Match', 400, () => remove(randomUUID(), { 'if-match': 'three' })],
    ['an unknown payment', 404, () => update(randomUUID(), { description: 'x' })],
    ['an unknown command', 404, () => commandState(randomUUID())],
    [
      'a wrong content type',
      415,
      () =>
        answer(
          api.command.POST('/payments', {
            body: malformed('amount=1'),
            bodySerializer: rawBody,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          }),
        ),
    ],
    [
      'a text/plain body',
      415,
      () =>
        answer(
          api.command.POST('/payments', {
            body: malformed('amount=1'),
            bodySerializer: rawBody,
            headers: { 'content-type': 'text/plain' },
          }),
        ),
    ],
    [
      'malformed JSON',
      400,
      () => answer(api.command.POST('/payments', { body: malformed('{"amount":'), bodySerializer: rawBody })),
    ],
    ['a body over 64 KiB', 413, () => create({ ...valid, amount: '1.00', description: 'x'.repeat(70 * 1024) })],
    ['a malformed X-Min-Position', 400, () => view(randomUUID(), { 'x-min-position': 'soon' })],
  ];

  it.each(cases)('%s: %i problem+json, nothing changed', async (_name, status, send) => {
    const before = await countEvents();
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
    if (status === 400 && response.body.errors)
      expect(response.body.errors[0]).toEqual({ path: expect.any(String), message: expect.any(String) });
    expect(await countEvents()).toBe(before);
  });

  it('names the offending field', async () => {
    const response = await create({ organizationId: org, amount: '10.001', currency: 'EUR' });
    expect(response.body.errors).toEqual([{ path: 'body:/amount', message: expect.stringMatching(/2 decimals/) }]);
  });
});

describe('idempotency keys', () => {
  it('replay the original answer and never run the command twice, even when sent concurrently', async () => {
    const key = randomUUID();
    const body = { organizationId: org, amount: '12.34', currency: 'EUR' };
    const answers = await Promise.all(Array.from({ length: 6 }, () => create(body, { 'idempotency-key': key })));
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201, 201, 201]);
    const paymentIds = new Set(answers.map((answer) => answer.body.paymentId));
    expect(paymentIds.size).toBe(1);
    const later = await create(body, { 'idempotency-key': key });
    expect(later.status).toBe(201);
    expect(later.body).toEqual(answers[0]!.body);
    const [paymentId] = [...paymentIds];
    expect(await readStream(stack.eventStore, paymentStreamId(paymentId!))).toHaveLength(2);
    expect(await simulatedChargesOf(stack.gatewayDb, paymentId!)).toHaveLength(1);
  });

  it('answer 409 when the same key comes with another body, and are scoped per organization', async () => {
    const key = randomUUID();
    const first = await create({ organizationId: org, amount: '5.00', currency: 'EUR' }, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    const before = await countEvents();
    const reused = await create({ organizationId: org, amount: '6.00', currency: 'EUR' }, { 'idempotency-key': key });
    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await countEvents()).toBe(before);
    const otherOrg = await create(
      { organizationId: `${org}-other`, amount: '6.00', currency: 'EUR' },
      { 'idempotency-key': key },
    );
    expect(otherOrg.status).toBe(201);
    expect(otherOrg.body.paymentId).not.toBe(first.body.paymentId);
  });

  it('replay a rejection with its status too', async () => {
    const created = await createPayment();
    const key = randomUUID();
    const first = await update(created.paymentId, { amount: '1.00' }, { 'idempotency-key': key });
    expect(first.status).toBe(409);
    const again = await update(created.paymentId, { amount: '1.00' }, { 'idempotency-key': key });
    expect(again.status).toBe(409);
    expect(again.body).toEqual(first.body);
  });
});

describe('asynchronous commands', () => {
  it('answer 202 with a Location, then GET /commands/{id} reports the result', async () => {
    const accepted = await create(
      { organizationId: org, amount: '9.99', currency: 'USD' },
      { prefer: 'respond-async' },
    );
    expect(accepted.status).toBe(202);
    const location = accepted.headers.get('location');
    expect(location).toBe(`/commands/${accepted.body.commandId}`);
    let state = await commandState(accepted.body.commandId);
    for (let attempt = 0; state.body.state === 'running' && attempt < 100; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      state = await commandState(accepted.body.commandId);
    }
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({
      commandId: accepted.body.commandId,
      state: 'completed',
      result: { status: 'processed', version: 2 },
    });
  });

  it('report a refused command as failed with its error', async () => {
    const created = await createPayment();
    const accepted = await refund(created.paymentId, { amount: '500.00' }, { prefer: 'respond-async' });
    expect(accepted.status).toBe(202);
    let state = await commandState(accepted.body.commandId);
    for (let attempt = 0; state.body.state === 'running' && attempt < 100; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      state = await commandState(accepted.body.commandId);
    }
    expect(state.body).toMatchObject({ state: 'failed', error: { status: 409, code: 'CONFLICT' } });
  });
});

describe('read-your-writes', () => {
  it('answers 503 with Retry-After when the projections cannot reach the position in time', async () => {
    const far = (BigInt(Number.MAX_SAFE_INTEGER) * 1000n).toString();
    const response = await view(randomUUID(), { 'x-min-position': far, 'x-wait-ms': '200' });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.headers.get('x-projection-position')).toMatch(/^\d+$/);
  });
});
