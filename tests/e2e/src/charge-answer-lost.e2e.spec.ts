/**
 * The most dangerous moment of a payment: the gateway has charged, but the worker dies before
 * Temporal learns it. A new worker must finish the command, the gateway must not charge again, and
 * exactly one PaymentProcessed must exist.
 */
import { Context } from '@temporalio/activity';
import { paymentStreamId } from '@gyroscops/contracts';
import { readStream } from '@gyroscops/event-store';
import { createSimulatedGateway, simulatedChargesOf, type ChargeRequest } from '@gyroscops/payment-gateway';
import { call, grantOrganizations } from './support/http-client';

grantOrganizations('org-crash');
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ withoutCommandWorker: true });
});
afterAll(async () => {
  await stack?.stop();
});

it('a command survives its worker stopping after the charge: one charge, one PaymentProcessed', async () => {
  const gateway = createSimulatedGateway(stack.gatewayDb);
  let charged!: () => void;
  const chargeHappened = new Promise<void>((resolve) => (charged = resolve));

  // Worker 1 charges for real, then never reports back: it hangs until its shutdown cancels it.
  const doomed = await stack.startCommandWorker(
    {
      async chargePayment(request: ChargeRequest) {
        await gateway.charge(request);
        charged();
        await Context.current().cancelled;
        throw new Error('unreachable: cancellation rejects first');
      },
    },
    { shutdownGraceTime: '200 ms' },
  );

  const accepted = await call(stack.commandUrl, 'POST', '/payments', {
    body: { organizationId: 'org-crash', amount: '42.00', currency: 'EUR' },
    headers: { prefer: 'respond-async' },
  });
  expect(accepted.status).toBe(202);
  await chargeHappened;
  await doomed.stop();

  const status = async () => (await call(stack.commandUrl, 'GET', `/commands/${accepted.body.commandId}`)).body;
  expect((await status()).state).toBe('running');

  // Worker 2 is an ordinary worker: it retries the charge activity, which the gateway answers from its ledger.
  await stack.startCommandWorker();
  let state = await status();
  for (let attempt = 0; state.state === 'running' && attempt < 300; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    state = await status();
  }
  expect(state).toMatchObject({ state: 'completed', result: { status: 'processed', version: 2 } });

  const paymentId = state.result.paymentId as string;
  const events = await readStream(stack.eventStore, paymentStreamId(paymentId));
  expect(events.map((event) => event.type)).toEqual(['PaymentInitiated', 'PaymentProcessed']);
  const charges = await simulatedChargesOf(stack.gatewayDb, paymentId);
  expect(charges).toHaveLength(1);
  // Two calls reached the gateway (the charge really ran again), but money moved once.
  expect(charges[0]).toMatchObject({ attempts: 2, captures: 1, outcome: 'approved' });
  expect(events[1]?.data.gatewayReference).toBe(charges[0]?.gateway_reference);
});
