/**
 * Refunds move money back through the payment gateway, for every payment: the refund is recorded as
 * RefundRequested, the gateway is asked (idempotent per refund), and its answer becomes
 * PaymentRefunded (the only event that changes refundedAmount) or RefundDeclined (a 409). The
 * simulated gateway's ledger shows one refund per refund, however often the step was retried.
 */
import { randomUUID } from 'node:crypto';
import { paymentStreamId } from '@gyroscops/contracts';
import { readStream } from '@gyroscops/event-store';
import { simulatedRefundsOf } from '@gyroscops/payment-gateway';
import { answer, apiClients, grantOrganizations, type ApiClients } from './support/http-client';
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;
let api: ApiClients;
const org = `org-${randomUUID().slice(0, 8)}`;
grantOrganizations(org);

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClients(stack);
  // Generous: the workflow bundles are built on a machine shared with other test runs.
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

async function processedPayment(amount: string, metadata: Record<string, string> = {}) {
  const created = await answer(
    api.command.POST('/payments', { body: { organizationId: org, amount, currency: 'EUR', metadata } }),
  );
  expect(created.status).toBe(201);
  expect(created.body.status).toBe('processed');
  return created.body as { paymentId: string; position: string };
}
const refund = (paymentId: string, amount: string, header: { 'idempotency-key'?: string } = {}) =>
  answer(
    api.command.POST('/payments/{paymentId}/refunds', { params: { path: { paymentId }, header }, body: { amount } }),
  );
const view = (paymentId: string, position: string) =>
  answer(
    api.query.GET('/payments/{paymentId}', { params: { path: { paymentId }, header: { 'x-min-position': position } } }),
  );
const eventTypes = async (paymentId: string) =>
  (await readStream(stack.eventStore, paymentStreamId(paymentId))).map((event) => event.type);

describe('POST /payments/{paymentId}/refunds through the gateway', () => {
  it('moves the money back once: one approved refund in the ledger, refundedAmount counts it', async () => {
    const payment = await processedPayment('40.00');

    const refunded = await refund(payment.paymentId, '15.00');

    expect(refunded.status).toBe(201);
    expect(refunded.body).toMatchObject({ status: 'partially_refunded', version: 4 });
    const ledger = await simulatedRefundsOf(stack.gatewayDb, payment.paymentId);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({
      refund_id: refunded.body.commandId,
      amount: '15.00',
      outcome: 'approved',
      refunds: 1,
      attempts: 1,
    });
    expect(await eventTypes(payment.paymentId)).toEqual([
      'PaymentInitiated',
      'PaymentProcessed',
      'RefundRequested',
      'PaymentRefunded',
    ]);
    expect((await view(payment.paymentId, refunded.body.position)).body).toMatchObject({
      refundedAmount: '15.00',
      status: 'partially_refunded',
      version: 4,
    });
  });

  it('a flaky gateway: the refund step is retried, the ledger still shows exactly one refund', async () => {
    const payment = await processedPayment('20.00', { simulate: 'flaky' });

    const refunded = await refund(payment.paymentId, '20.00');

    expect(refunded.status).toBe(201);
    expect(refunded.body).toMatchObject({ status: 'refunded', version: 4 });
    const ledger = await simulatedRefundsOf(stack.gatewayDb, payment.paymentId);
    expect(ledger).toHaveLength(1);
    // Two planned failures, then the approval: three calls reached the gateway, money moved back once.
    expect(ledger[0]).toMatchObject({ outcome: 'approved', refunds: 1, attempts: 3 });
  });

  it('a declined refund answers 409 problem+json, records RefundDeclined and refunds nothing', async () => {
    const payment = await processedPayment('30.00', { simulate: 'refund_decline' });

    const declined = await refund(payment.paymentId, '10.00');

    expect(declined.status).toBe(409);
    expect(declined.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(declined.body.detail ?? declined.body.title).toMatch(/declined/);
    expect(await eventTypes(payment.paymentId)).toEqual([
      'PaymentInitiated',
      'PaymentProcessed',
      'RefundRequested',
      'RefundDeclined',
    ]);
    expect(await simulatedRefundsOf(stack.gatewayDb, payment.paymentId)).toMatchObject([
      { outcome: 'declined', decline_reason: 'refund_declined', refunds: 0 },
    ]);
    const events = await readStream(stack.eventStore, paymentStreamId(payment.paymentId));
    const after = await view(payment.paymentId, events[events.length - 1]!.position.toString());
    expect(after.body).toMatchObject({ status: 'processed', refundedAmount: '0.00', version: 4 });
  });

  it('the same Idempotency-Key sent twice refunds once', async () => {
    const payment = await processedPayment('10.00');
    const key = randomUUID();

    const [first, second] = [
      await refund(payment.paymentId, '4.00', { 'idempotency-key': key }),
      await refund(payment.paymentId, '4.00', { 'idempotency-key': key }),
    ];

    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(await simulatedRefundsOf(stack.gatewayDb, payment.paymentId)).toMatchObject([
      { amount: '4.00', refunds: 1 },
    ]);
  });
});
