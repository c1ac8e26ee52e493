/**
 * Over real HTTP: what a client sees while a charge is being settled against the gateway, and the
 * invoice a payment pays.
 *
 * - `POST /payments` whose charge never gets an answer (the simulated gateway's `answer_lost`) does
 *   not hang: after COMMAND_RESULT_TIMEOUT_MS it answers 202 with the command's location, the payment
 *   reads `pending`, and once the lookup by idempotency key settles it the command completes
 *   `processed`, with exactly one capture in the gateway's ledger and one PaymentProcessed.
 * - `invoiceId` is refused on `POST /payments` (400 problem+json, nothing stored), and an invoice
 *   payment (started as billing starts it, on the command workflow) shows its invoice in the view and
 *   is found by `GET /payments?invoiceId=`.
 */
import { randomUUID } from 'node:crypto';
import {
  commandWorkflowId,
  PAYMENT_COMMAND_WORKFLOW,
  paymentStreamId,
  TASK_QUEUES,
  type PaymentCommandResult,
} from '@gyroscops/contracts';
import { waitFor } from '@gyroscops/dev-infra';
import { readStream } from '@gyroscops/event-store';
import { simulatedChargesOf } from '@gyroscops/payment-gateway';
import { startWorkflow } from '@gyroscops/platform';
import { answer, apiClients, grantOrganizations, malformed } from './support/http-client';
import { startTestStack, type TestStack } from './support/test-stack';

const org = grantOrganizations('org-settlement');
let stack: TestStack;

beforeAll(async () => {
  // A short wait for the command's result: the settlement outlasts it, and the answer is a 202.
  stack = await startTestStack({ resultTimeoutMs: 2_000 });
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

it('a charge whose answer is lost answers 202, reads pending, then settles processed with one capture', async () => {
  const api = apiClients(stack);
  const accepted = await answer(
    api.command.POST('/payments', {
      body: { organizationId: org, amount: '64.00', currency: 'EUR', metadata: { simulate: 'answer_lost' } },
    }),
  );
  expect(accepted.status).toBe(202);
  expect(accepted.headers.get('location')).toBe(`/commands/${accepted.body.commandId}`);
  const commandId = accepted.body.commandId as string;
  const command = async () =>
    (await answer(api.command.GET('/commands/{commandId}', { params: { path: { commandId } } }))).body;
  expect(await command()).toMatchObject({ state: 'running' });

  // The money has moved at the gateway, the payment is still pending: nothing is guessed meanwhile.
  const [charge] = await waitFor('the capture in the ledger', async () => {
    const rows = await stack.gatewayDb
      .selectFrom('simulated_gateway_charges')
      .selectAll()
      .where('amount', '=', '64.00')
      .where('captures', '=', 1)
      .execute();
    return rows.length > 0 ? rows : undefined;
  });
  const paymentId = charge!.payment_id;
  // The charge's retries take about 16 s: the view is projected long before the outcome is settled.
  const pending = await waitFor('the payment view', async () => {
    const view = await answer(api.query.GET('/payments/{paymentId}', { params: { path: { paymentId } } }));
    return view.status === 200 ? view.body : undefined;
  });
  expect(pending).toMatchObject({ status: 'pending', invoiceId: null });
  expect(await command()).toMatchObject({ state: 'running' });

  const settled = await waitFor('the command to complete', async () => {
    const state = await command();
    return state.state === 'completed' ? state : undefined;
  });
  expect(settled.result).toMatchObject({ paymentId, status: 'processed', version: 2 });
  const events = await readStream(stack.eventStore, paymentStreamId(paymentId));
  expect(events.map((event) => event.type)).toEqual(['PaymentInitiated', 'PaymentProcessed']);
  const charges = await simulatedChargesOf(stack.gatewayDb, paymentId);
  expect(charges).toHaveLength(1);
  expect(charges[0]).toMatchObject({ captures: 1, outcome: 'approved', attempts: 8 });
  expect(events[1]!.data.gatewayReference).toBe(charges[0]!.gateway_reference);
}, 120_000);

it('refuses invoiceId on POST /payments: 400 problem+json, nothing stored', async () => {
  const api = apiClients(stack);
  const paymentId = randomUUID();
  const refused = await answer(
    api.command.POST('/payments', {
      body: malformed({ organizationId: org, amount: '5.00', currency: 'EUR', paymentId, invoiceId: randomUUID() }),
    }),
  );
  expect(refused.status).toBe(400);
  expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(await readStream(stack.eventStore, paymentStreamId(paymentId))).toEqual([]);
  expect(await simulatedChargesOf(stack.gatewayDb, paymentId)).toEqual([]);
});

it('an invoice payment shows its invoice and is found by GET /payments?invoiceId=', async () => {
  const api = apiClients(stack);
  const invoiceId = randomUUID();
  const attempts = [randomUUID(), randomUUID()];
  const results: PaymentCommandResult[] = [];
  for (const [index, paymentId] of attempts.entries()) {
    const context = {
      commandId: randomUUID(),
      correlationId: randomUUID(),
      causationId: randomUUID(),
      userId: 'billing',
    };
    const handle = await startWorkflow(stack.temporal, PAYMENT_COMMAND_WORKFLOW, {
      taskQueue: TASK_QUEUES.commands,
      workflowId: commandWorkflowId(context.commandId),
      args: [
        {
          kind: 'create',
          context,
          payment: {
            paymentId,
            organizationId: org,
            amount: '30.00',
            currency: 'EUR',
            // The first attempt is declined, the second approved: both belong to the invoice.
            metadata: index === 0 ? { simulate: 'decline' } : {},
            invoiceId: invoiceId.toUpperCase(),
          },
        },
      ],
    });
    results.push(await handle.result());
  }
  const position = results[results.length - 1]!.position;
  const found = await answer(
    api.query.GET('/payments', {
      params: { query: { invoiceId, sort: 'createdAt', order: 'asc' }, header: { 'x-min-position': position } },
    }),
  );
  expect(found.status).toBe(200);
  expect(found.body.total).toBe(2);
  expect(found.body.items.map((item: { paymentId: string }) => item.paymentId)).toEqual(attempts);
  expect(found.body.items.map((item: { status: string }) => item.status)).toEqual(['failed', 'processed']);
  expect(found.body.items.every((item: { invoiceId: string }) => item.invoiceId === invoiceId)).toBe(true);

  const view = await answer(
    api.query.GET('/payments/{paymentId}', {
      params: { path: { paymentId: attempts[1]! }, header: { 'x-min-position': position } },
    }),
  );
  expect(view.body).toMatchObject({ invoiceId, status: 'processed' });
  const others = await answer(api.query.GET('/payments', { params: { query: { invoiceId: randomUUID() } } }));
  expect(others.body).toMatchObject({ items: [], total: 0 });
}, 60_000);
