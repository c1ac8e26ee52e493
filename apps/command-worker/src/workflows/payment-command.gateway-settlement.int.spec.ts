/**
 * A charge or refund whose answer never came back is settled against the gateway, never guessed.
 * Real Temporal, real Postgres, the simulated gateway's real ledger: `answer_lost` makes the gateway
 * move the money and then fail every call (all the activity's retries), `unreachable` fails every
 * call before anything is recorded. The workflow then looks the outcome up by idempotency key,
 * retrying the lookup on a durable timer until the gateway answers.
 *
 * How we know nothing is lost or applied twice: the ledger counts the captures (and refunds) made
 * under each key, and the payment's stream is read back whole: exactly one outcome event, with the
 * gateway's own reference.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { paymentStreamId, type PaymentCommandRequest } from '@gyroscops/contracts';
import { readStream } from '@gyroscops/event-store';
import { SIMULATIONS, simulatedChargesOf, simulatedRefundsOf } from '@gyroscops/payment-gateway';
import {
  commandContext,
  rejectionTypeOf,
  startCommandWorkerHarness,
  type CommandWorkerHarness,
} from '../test-support/command-worker-harness';

let harness: CommandWorkerHarness;

/** Lookups of these keys fail (as an unreachable gateway would) this many more times. */
const failingLookups = new Map<string, number>();
const lookupCalls: string[] = [];

beforeAll(async () => {
  harness = await startCommandWorkerHarness('gateway-settlement', (real) => ({
    async findCharge(input) {
      lookupCalls.push(input.idempotencyKey);
      const failures = failingLookups.get(input.idempotencyKey) ?? 0;
      if (failures > 0) {
        failingLookups.set(input.idempotencyKey, failures - 1);
        throw new Error('gateway unreachable (lookup)');
      }
      return real.findCharge(input);
    },
    async findRefund(input) {
      lookupCalls.push(input.idempotencyKey);
      return real.findRefund(input);
    },
  }));
}, 180_000);

afterAll(async () => {
  await harness?.stop();
});

const create = (paymentId: string, simulate: string, invoiceId?: string): PaymentCommandRequest => ({
  kind: 'create',
  context: commandContext('billing'),
  payment: {
    paymentId,
    organizationId: 'org-settle',
    amount: '120.00',
    currency: 'EUR',
    metadata: { simulate },
    ...(invoiceId !== undefined && { invoiceId }),
  },
});

const eventsOf = async (paymentId: string) => readStream(harness.eventStore, paymentStreamId(paymentId));

const chargeRowOf = (idempotencyKey: string) =>
  harness.gatewayDb
    .selectFrom('simulated_gateway_charges')
    .selectAll()
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();

it('an invoice payment whose capture answer is lost on every try is settled: one capture, approved with its reference', async () => {
  const paymentId = randomUUID();
  const invoiceId = randomUUID();
  // The first lookups fail too: past the lookup's own retries the workflow waits on a durable timer.
  failingLookups.set(`charge-${paymentId}`, 4);
  const handle = await harness.start(create(paymentId, SIMULATIONS.answerLost, invoiceId));
  const result = await handle.result();

  expect(result).toMatchObject({ paymentId, status: 'processed', version: 2 });
  const charges = await simulatedChargesOf(harness.gatewayDb, paymentId);
  expect(charges).toHaveLength(1);
  // Every call of the activity reached the gateway (each one replayed the capture), money moved once.
  expect(charges[0]).toMatchObject({ attempts: 8, captures: 1, outcome: 'approved' });

  const events = await eventsOf(paymentId);
  expect(events.map((event) => event.type)).toEqual(['PaymentInitiated', 'PaymentProcessed']);
  expect(events[0]!.data).toMatchObject({ paymentId, invoiceId });
  expect(events[1]!.data.gatewayReference).toBe(charges[0]!.gateway_reference);

  expect(lookupCalls.filter((key) => key === `charge-${paymentId}`)).toHaveLength(5);
  const history = await handle.fetchHistory();
  const timers = history.events?.filter((event) => event.timerStartedEventAttributes) ?? [];
  expect(timers.length).toBeGreaterThanOrEqual(1);
}, 120_000);

it('a charge that never reached the gateway is declined gateway_unavailable once the lookup says none; the key is closed', async () => {
  const paymentId = randomUUID();
  const handle = await harness.start(create(paymentId, SIMULATIONS.unreachable, randomUUID()));
  const result = await handle.result();

  expect(result).toMatchObject({ paymentId, status: 'failed', version: 2 });
  const events = await eventsOf(paymentId);
  expect(events.map((event) => event.type)).toEqual(['PaymentInitiated', 'PaymentFailed']);
  expect(events[1]!.data).toMatchObject({ reason: 'gateway_unavailable' });
  expect(await simulatedChargesOf(harness.gatewayDb, paymentId)).toHaveLength(0);
  // The lookup closed the key: nothing was captured under it, and nothing can be any more.
  expect(await chargeRowOf(`charge-${paymentId}`)).toMatchObject({ captures: 0, outcome: 'declined' });
}, 120_000);

it('a refund whose answer is lost on every try is settled: one refund in the ledger, recorded with its reference', async () => {
  const paymentId = randomUUID();
  await (await harness.start(create(paymentId, SIMULATIONS.refundAnswerLost))).result();
  const refund = commandContext('billing');
  const result = await (
    await harness.start({
      kind: 'refund',
      context: refund,
      paymentId,
      refund: { refundId: refund.commandId, amount: '20.00' },
    })
  ).result();

  expect(result).toMatchObject({ paymentId, status: 'partially_refunded', version: 4 });
  const refunds = await simulatedRefundsOf(harness.gatewayDb, paymentId);
  expect(refunds).toHaveLength(1);
  expect(refunds[0]).toMatchObject({ attempts: 8, refunds: 1, outcome: 'approved' });
  const events = await eventsOf(paymentId);
  expect(events.map((event) => event.type)).toEqual([
    'PaymentInitiated',
    'PaymentProcessed',
    'RefundRequested',
    'PaymentRefunded',
  ]);
  expect(events[3]!.data).toMatchObject({ refundId: refund.commandId, amount: '20.00', refundedTotal: '20.00' });
  expect(lookupCalls).toContain(`refund-${refund.commandId}`);
}, 120_000);

it('a refund that never reached the gateway is declined gateway_unavailable once the lookup says none: nothing refunded', async () => {
  const paymentId = randomUUID();
  await (await harness.start(create(paymentId, SIMULATIONS.refundUnreachable))).result();
  const refund = commandContext('billing');
  const rejection = await rejectionTypeOf(
    (
      await harness.start({
        kind: 'refund',
        context: refund,
        paymentId,
        refund: { refundId: refund.commandId, amount: '20.00' },
      })
    ).result(),
  );

  expect(rejection).toBe('CONFLICT');
  const events = await eventsOf(paymentId);
  expect(events.map((event) => event.type)).toEqual([
    'PaymentInitiated',
    'PaymentProcessed',
    'RefundRequested',
    'RefundDeclined',
  ]);
  expect(events[3]!.data).toMatchObject({ refundId: refund.commandId, reason: 'gateway_unavailable' });
  expect(await simulatedRefundsOf(harness.gatewayDb, paymentId)).toHaveLength(0);
  const { rows } = await sql<{ refunds: number; outcome: string }>`
    SELECT refunds, outcome FROM simulated_gateway_refunds WHERE idempotency_key = ${`refund-${refund.commandId}`}`.execute(
    harness.eventStore,
  );
  expect(rows).toEqual([{ refunds: 0, outcome: 'declined' }]);
}, 120_000);
