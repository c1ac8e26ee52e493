/**
 * A refund whose answer is lost after the gateway moved the money back: the refund step runs again
 * (a local activity retried by the worker), the gateway must not refund again, and exactly one
 * PaymentRefunded must exist. The same test for charges is charge-answer-lost.e2e.spec.ts.
 */
import { Context } from '@temporalio/activity';
import { paymentStreamId } from '@gyroscops/contracts';
import { readStream } from '@gyroscops/event-store';
import { createSimulatedGateway, simulatedRefundsOf, type RefundRequest } from '@gyroscops/payment-gateway';
import { answer, apiClients, grantOrganizations } from './support/http-client';
import { startTestStack, type TestStack } from './support/test-stack';

grantOrganizations('org-refund-lost');

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ withoutCommandWorker: true });
  // Generous: the workflow bundles are built on a machine shared with other test runs.
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

it('a refund whose answer is lost after the money moved back is retried without refunding twice', async () => {
  const gateway = createSimulatedGateway(stack.gatewayDb);
  // The first attempt refunds for real, then fails as a dropped connection would: money moved, answer lost.
  await stack.startCommandWorker({
    async refundPayment(request: RefundRequest) {
      const result = await gateway.refund(request);
      if (Context.current().info.attempt === 1)
        throw new Error('connection reset after the gateway refunded (simulated lost answer)');
      return result;
    },
  });
  const api = apiClients(stack);
  const created = await answer(
    api.command.POST('/payments', { body: { organizationId: 'org-refund-lost', amount: '42.00', currency: 'EUR' } }),
  );
  expect(created.body).toMatchObject({ status: 'processed' });
  const paymentId = created.body.paymentId as string;

  const refunded = await answer(
    api.command.POST('/payments/{paymentId}/refunds', { params: { path: { paymentId } }, body: { amount: '42.00' } }),
  );

  expect(refunded.status).toBe(201);
  expect(refunded.body).toMatchObject({ status: 'refunded', version: 4 });
  const events = await readStream(stack.eventStore, paymentStreamId(paymentId));
  expect(events.map((event) => event.type)).toEqual([
    'PaymentInitiated',
    'PaymentProcessed',
    'RefundRequested',
    'PaymentRefunded',
  ]);
  const ledger = await simulatedRefundsOf(stack.gatewayDb, paymentId);
  expect(ledger).toHaveLength(1);
  // Two calls reached the gateway (the refund really ran again), but money moved back once.
  expect(ledger[0]).toMatchObject({ attempts: 2, refunds: 1, outcome: 'approved', amount: '42.00' });
});
