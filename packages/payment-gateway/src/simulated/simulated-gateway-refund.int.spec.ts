/**
 * Proves the simulated gateway's refunds keep the PaymentGateway promise on a real Postgres ledger:
 * one idempotency key moves money back at most once and always answers the same outcome; a refund
 * never exceeds what was captured minus what was already refunded; the simulation switches work.
 */
import { randomUUID } from 'node:crypto';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import { createDatabase, runMigrations } from '@gyroscops/platform';
import { simulatedGatewayMigrations } from '../migrations';
import { TransientGatewayError, type PaymentGateway, type RefundRequest } from '../payment-gateway';
import { createSimulatedGateway, SIMULATIONS, simulatedRefundsOf } from './simulated-gateway';
import type { SimulatedGatewayTables } from './tables';
import type { Kysely } from 'kysely';

let env: TestEnvironment;
let db: Kysely<SimulatedGatewayTables>;
let gateway: PaymentGateway;

beforeAll(async () => {
  env = await createTestEnvironment();
  db = createDatabase<SimulatedGatewayTables>({ url: env.eventStoreDatabaseUrl, maxConnections: 12 });
  await runMigrations(db, simulatedGatewayMigrations);
  gateway = createSimulatedGateway(db);
});

afterAll(async () => {
  await db?.destroy();
  await env?.dispose();
});

/** A payment of 10.00 EUR the gateway captured; its refunds are built from it. */
async function capturedPayment(metadata: Record<string, string> = {}) {
  const paymentId = randomUUID();
  const charge = await gateway.charge({
    paymentId,
    amount: '10.00',
    currency: 'EUR',
    metadata: {},
    idempotencyKey: `charge-${paymentId}`,
  });
  if (charge.outcome !== 'approved') throw new Error(`the charge was ${charge.outcome}`);
  const chargeReference = charge.gatewayReference;
  const refundOf = (amount: string, refundId = randomUUID()): RefundRequest => ({
    paymentId,
    chargeReference,
    refundId,
    amount,
    currency: 'EUR',
    metadata,
    idempotencyKey: `refund-${refundId}`,
  });
  return { paymentId, chargeReference, refundOf };
}

describe('createSimulatedGateway refunds', () => {
  it('approves once per key: two calls with one key leave one ledger row that moved money once', async () => {
    const { paymentId, refundOf } = await capturedPayment();
    const request = refundOf('4.00');

    const first = await gateway.refund(request);
    const again = await gateway.refund({ ...request });

    expect(first).toEqual({ outcome: 'approved', gatewayReference: expect.stringMatching(/^sim_re_[0-9a-f-]{36}$/) });
    expect(again).toEqual(first);
    const rows = await simulatedRefundsOf(db, paymentId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ amount: '4.00', outcome: 'approved', refunds: 1, attempts: 2 });
  });

  it('refuses a refund above what was captured minus already refunded, and moves no money for it', async () => {
    const { paymentId, refundOf } = await capturedPayment();
    expect((await gateway.refund(refundOf('6.00'))).outcome).toBe('approved');

    const over = await gateway.refund(refundOf('4.01'));
    const rest = await gateway.refund(refundOf('4.00'));
    const nothingLeft = await gateway.refund(refundOf('0.01'));

    expect(over).toEqual({ outcome: 'declined', reason: 'amount_exceeds_refundable' });
    expect(rest.outcome).toBe('approved');
    expect(nothingLeft).toEqual({ outcome: 'declined', reason: 'amount_exceeds_refundable' });
    const rows = await simulatedRefundsOf(db, paymentId);
    expect(rows.map((row) => [row.amount, row.refunds])).toEqual([
      ['6.00', 1],
      ['4.01', 0],
      ['4.00', 1],
      ['0.01', 0],
    ]);
  });

  it('refuses a refund of a capture it does not know', async () => {
    const refundId = randomUUID();
    const paymentId = randomUUID();
    expect(
      await gateway.refund({
        paymentId,
        chargeReference: `sim_ch_${randomUUID()}`,
        refundId,
        amount: '1.00',
        currency: 'EUR',
        metadata: {},
        idempotencyKey: `refund-${refundId}`,
      }),
    ).toEqual({ outcome: 'declined', reason: 'no_such_charge' });
  });

  it('refunds the capture its reference names, whatever spelling of the payment id the refund carries', async () => {
    const { paymentId, refundOf } = await capturedPayment();
    const outcome = await gateway.refund({ ...refundOf('2.00'), paymentId: paymentId.toUpperCase() });
    expect(outcome.outcome).toBe('approved');
    const rows = await simulatedRefundsOf(db, paymentId);
    expect(rows.map((row) => [row.amount, row.refunds])).toEqual([['2.00', 1]]);
  });

  it('concurrent refunds of one payment never refund more than was captured', async () => {
    const { paymentId, refundOf } = await capturedPayment();

    const outcomes = await Promise.all(Array.from({ length: 6 }, () => gateway.refund(refundOf('3.00'))));

    expect(outcomes.filter((outcome) => outcome.outcome === 'approved')).toHaveLength(3);
    const rows = await simulatedRefundsOf(db, paymentId);
    expect(rows.reduce((sum, row) => sum + row.refunds, 0)).toBe(3);
  });

  it("declines with 'refund_declined' when told to, and keeps declining the key", async () => {
    const { paymentId, refundOf } = await capturedPayment({ simulate: SIMULATIONS.refundDecline });
    const request = refundOf('1.00');

    expect(await gateway.refund(request)).toEqual({ outcome: 'declined', reason: 'refund_declined' });
    expect(await gateway.refund({ ...request, metadata: {} })).toEqual({
      outcome: 'declined',
      reason: 'refund_declined',
    });
    expect(await simulatedRefundsOf(db, paymentId)).toMatchObject([{ outcome: 'declined', refunds: 0, attempts: 2 }]);
  });

  it('flaky: fails transiently twice, each attempt committed, then approves once', async () => {
    const { paymentId, refundOf } = await capturedPayment({ simulate: SIMULATIONS.flaky });
    const request = refundOf('2.50');

    for (const attempt of [1, 2]) {
      await expect(gateway.refund(request)).rejects.toBeInstanceOf(TransientGatewayError);
      expect(await simulatedRefundsOf(db, paymentId)).toMatchObject([{ attempts: attempt, refunds: 0, outcome: null }]);
    }
    const third = await gateway.refund(request);

    expect(third.outcome).toBe('approved');
    expect(await gateway.refund(request)).toEqual(third);
    expect(await simulatedRefundsOf(db, paymentId)).toMatchObject([{ attempts: 4, refunds: 1, outcome: 'approved' }]);
  });

  it('the same key for another refund is declined and does not spoil the refund that owns it', async () => {
    const { paymentId, refundOf } = await capturedPayment();
    const request = refundOf('1.00');
    const original = await gateway.refund(request);

    expect(await gateway.refund({ ...request, amount: '2.00' })).toEqual({
      outcome: 'declined',
      reason: 'idempotency key reused with another refund',
    });
    expect(await gateway.refund(request)).toEqual(original);
    expect(await simulatedRefundsOf(db, paymentId)).toMatchObject([{ amount: '1.00', refunds: 1, attempts: 3 }]);
  });
});
