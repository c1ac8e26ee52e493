/**
 * Lookups by idempotency key on the simulated gateway's real Postgres ledger, and the simulations
 * that open the window they exist for: the gateway moves the money and the answer is lost on every
 * call (answer_lost, refund_answer_lost), or no call ever reaches it (unreachable, refund_unreachable).
 * A lookup answers what the ledger recorded; `none` closes the key, so a charge that comes later with
 * it cannot move money (the ledger's capture and refund counters say how often money moved).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import { createDatabase, runMigrations } from '@gyroscops/platform';
import { simulatedGatewayMigrations } from '../migrations';
import { TransientGatewayError, type ChargeRequest, type PaymentGateway } from '../payment-gateway';
import { createSimulatedGateway, SIMULATIONS, simulatedChargesOf, simulatedRefundsOf } from './simulated-gateway';
import type { SimulatedGatewayTables } from './tables';

let env: TestEnvironment;
let db: Kysely<SimulatedGatewayTables>;
let gateway: PaymentGateway;

beforeAll(async () => {
  env = await createTestEnvironment();
  db = createDatabase<SimulatedGatewayTables>({ url: env.eventStoreDatabaseUrl, maxConnections: 6 });
  await runMigrations(db, simulatedGatewayMigrations);
  gateway = createSimulatedGateway(db);
});

afterAll(async () => {
  await db?.destroy();
  await env?.dispose();
});

const chargeOf = (simulate?: string): ChargeRequest => {
  const paymentId = randomUUID();
  return {
    paymentId,
    amount: '25.00',
    currency: 'EUR',
    metadata: simulate === undefined ? {} : { simulate },
    idempotencyKey: `charge-${paymentId}`,
  };
};

describe('findCharge', () => {
  it('answers the capture whose answer was lost on every call, which happened exactly once', async () => {
    const request = chargeOf(SIMULATIONS.answerLost);
    for (let call = 0; call < 3; call += 1) {
      await expect(gateway.charge(request)).rejects.toThrow(TransientGatewayError);
    }
    const found = await gateway.findCharge(request.idempotencyKey);
    const charges = await simulatedChargesOf(db, request.paymentId);
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({ attempts: 3, captures: 1, outcome: 'approved' });
    expect(found).toEqual({ outcome: 'approved', gatewayReference: charges[0]!.gateway_reference });
    // Asking again answers the same and moves nothing.
    expect(await gateway.findCharge(request.idempotencyKey)).toEqual(found);
    expect((await simulatedChargesOf(db, request.paymentId))[0]).toMatchObject({ captures: 1 });
  });

  it('answers approved and declined charges as they were recorded', async () => {
    const approved = chargeOf();
    const answer = await gateway.charge(approved);
    expect(await gateway.findCharge(approved.idempotencyKey)).toEqual(answer);
    const declined = chargeOf(SIMULATIONS.decline);
    await gateway.charge(declined);
    expect(await gateway.findCharge(declined.idempotencyKey)).toEqual({ outcome: 'declined', reason: 'card_declined' });
  });

  it('answers none when no call reached the gateway, and the key stays closed: a late charge moves no money', async () => {
    const request = chargeOf(SIMULATIONS.unreachable);
    await expect(gateway.charge(request)).rejects.toThrow(TransientGatewayError);
    expect(await simulatedChargesOf(db, request.paymentId)).toHaveLength(0);

    expect(await gateway.findCharge(request.idempotencyKey)).toEqual({ outcome: 'none' });
    expect(await gateway.findCharge(request.idempotencyKey)).toEqual({ outcome: 'none' });
    // The same key reaching the gateway afterwards (a retry still on the wire) is declined.
    const late = await gateway.charge({ ...request, metadata: {} });
    expect(late.outcome).toBe('declined');
    expect(await simulatedChargesOf(db, request.paymentId)).toHaveLength(0);
  });

  it('answers none for calls that failed before any outcome, and closes the key', async () => {
    const request = chargeOf(SIMULATIONS.flaky);
    await expect(gateway.charge(request)).rejects.toThrow(TransientGatewayError);
    expect(await gateway.findCharge(request.idempotencyKey)).toEqual({ outcome: 'none' });
    // The flaky simulation would approve from its third call on: the closed key declines instead.
    await expect(gateway.charge(request)).resolves.toMatchObject({ outcome: 'declined' });
    await expect(gateway.charge(request)).resolves.toMatchObject({ outcome: 'declined' });
    expect(await simulatedChargesOf(db, request.paymentId)).toEqual([
      expect.objectContaining({ captures: 0, outcome: 'declined' }),
    ]);
  });
});

describe('findRefund', () => {
  async function captured(simulate: string) {
    const request = { ...chargeOf(), metadata: { simulate } };
    const charge = await gateway.charge(request);
    if (charge.outcome !== 'approved') throw new Error(`the charge was ${charge.outcome}`);
    const refundId = randomUUID();
    return {
      paymentId: request.paymentId,
      refund: {
        paymentId: request.paymentId,
        chargeReference: charge.gatewayReference,
        refundId,
        amount: '10.00',
        currency: 'EUR',
        metadata: { simulate },
        idempotencyKey: `refund-${refundId}`,
      },
    };
  }

  it('answers the refund whose answer was lost on every call, which moved money back exactly once', async () => {
    const { paymentId, refund } = await captured(SIMULATIONS.refundAnswerLost);
    await expect(gateway.refund(refund)).rejects.toThrow(TransientGatewayError);
    await expect(gateway.refund(refund)).rejects.toThrow(TransientGatewayError);
    const found = await gateway.findRefund(refund.idempotencyKey);
    const refunds = await simulatedRefundsOf(db, paymentId);
    expect(refunds).toEqual([expect.objectContaining({ attempts: 2, refunds: 1, outcome: 'approved' })]);
    expect(found).toEqual({ outcome: 'approved', gatewayReference: refunds[0]!.gateway_reference });
  });

  it('answers none when no refund call reached the gateway, and a late one moves nothing', async () => {
    const { paymentId, refund } = await captured(SIMULATIONS.refundUnreachable);
    await expect(gateway.refund(refund)).rejects.toThrow(TransientGatewayError);
    expect(await gateway.findRefund(refund.idempotencyKey)).toEqual({ outcome: 'none' });
    await expect(gateway.refund({ ...refund, metadata: {} })).resolves.toMatchObject({ outcome: 'declined' });
    expect(await simulatedRefundsOf(db, paymentId)).toHaveLength(0);
  });
});
