/**
 * The most dangerous moment of a payment: the gateway has charged, but the answer never reaches the
 * workflow. The charge step runs again (a local activity retried by the worker), the gateway must not
 * charge again, and exactly one PaymentProcessed must exist. The same moment with the worker process
 * killed (kill -9) and restarted is tests/faults/src/command-worker-kill.fault.spec.ts.
 */
import { Context } from '@temporalio/activity';
import { paymentStreamId } from '@gyroscops/contracts';
import { readStream } from '@gyroscops/event-store';
import { createSimulatedGateway, simulatedChargesOf, type ChargeRequest } from '@gyroscops/payment-gateway';
import { answer, apiClients, grantOrganizations } from './support/http-client';

grantOrganizations('org-crash');
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ withoutCommandWorker: true });
  // Generous: the workflow bundles are built on a machine shared with other test runs.
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

it('a charge whose answer is lost after the money moved is retried without charging twice: one charge, one PaymentProcessed', async () => {
  const gateway = createSimulatedGateway(stack.gatewayDb);
  // The first attempt charges for real, then fails as a dropped connection would: money moved, answer lost.
  await stack.startCommandWorker({
    async chargePayment(request: ChargeRequest) {
      const result = await gateway.charge(request);
      if (Context.current().info.attempt === 1)
        throw new Error('connection reset after the gateway charged (simulated lost answer)');
      return result;
    },
  });

  const api = apiClients(stack);
  const accepted = await answer(
    api.command.POST('/payments', {
      body: { organizationId: 'org-crash', amount: '42.00', currency: 'EUR' },
      params: { header: { prefer: 'respond-async' } },
    }),
  );
  expect(accepted.status).toBe(202);

  const status = async () =>
    (
      await answer(
        api.command.GET('/commands/{commandId}', { params: { path: { commandId: accepted.body.commandId } } }),
      )
    ).body;
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
