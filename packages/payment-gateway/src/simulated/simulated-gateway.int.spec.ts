/**
 * Proves the simulated gateway keeps the PaymentGateway promise on a real Postgres ledger: one
 * idempotency key moves money at most once and always answers the same outcome, even to concurrent
 * calls; every call is counted (a failed flaky attempt included, so retries end in approval); a key
 * reused with another amount is refused and moves no money.
 */
import { randomUUID } from 'node:crypto';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import { createDatabase, runMigrations } from '@gyroscops/platform';
import { simulatedGatewayMigrations } from '../migrations';
import { TransientGatewayError, type ChargeOutcome, type ChargeRequest, type PaymentGateway } from '../payment-gateway';
import { createSimulatedGateway, SIMULATIONS, simulatedChargesOf } from './simulated-gateway';
import type { SimulatedChargeRow, SimulatedGatewayTables } from './tables';
import type { Kysely } from 'kysely';

let env: TestEnvironment;
let db: Kysely<SimulatedGatewayTables>;
let gateway: PaymentGateway;

beforeAll(async () => {
  env = await createTestEnvironment();
  // Enough connections for concurrent charges to really race.
  db = createDatabase<SimulatedGatewayTables>({ url: env.eventStoreDatabaseUrl, maxConnections: 12 });
  await runMigrations(db, simulatedGatewayMigrations);
  gateway = createSimulatedGateway(db);
});

afterAll(async () => {
  await db?.destroy();
  await env?.dispose();
});

const chargeRequest = (overrides: Partial<ChargeRequest> = {}): ChargeRequest => {
  const paymentId = randomUUID();
  return {
    paymentId,
    amount: '12.50',
    currency: 'EUR',
    metadata: {},
    idempotencyKey: `charge-${paymentId}`,
    ...overrides,
  };
};

/** The single ledger row of a payment. */
const ledgerOf = async (paymentId: string): Promise<SimulatedChargeRow> => {
  const rows = await simulatedChargesOf(db, paymentId);
  expect(rows).toHaveLength(1);
  return rows[0]!;
};

describe('createSimulatedGateway', () => {
  it('approves with a sim_ reference and answers the same reference to every retry of the key', async () => {
    const request = chargeRequest();

    const first = await gateway.charge(request);
    const retries = [await gateway.charge(request), await gateway.charge({ ...request })];

    expect(first).toEqual({ outcome: 'approved', gatewayReference: expect.stringMatching(/^sim_[0-9a-f-]{36}$/) });
    for (const retry of retries) expect(retry).toEqual(first);
    expect(await ledgerOf(request.paymentId)).toMatchObject({
      outcome: 'approved',
      gateway_reference: (first as Extract<ChargeOutcome, { outcome: 'approved' }>).gatewayReference,
      amount: '12.50',
      currency: 'EUR',
      captures: 1,
      attempts: 3,
    });
  });

  it('gives different keys different references', async () => {
    const [a, b] = await Promise.all([gateway.charge(chargeRequest()), gateway.charge(chargeRequest())]);
    expect(a.outcome).toBe('approved');
    expect(b.outcome).toBe('approved');
    expect(a).not.toEqual(b);
  });

  it("declines with 'card_declined' when told to, moves no money, and keeps declining the key", async () => {
    const request = chargeRequest({ metadata: { simulate: SIMULATIONS.decline } });

    expect(await gateway.charge(request)).toEqual({ outcome: 'declined', reason: 'card_declined' });
    expect(await gateway.charge(request)).toEqual({ outcome: 'declined', reason: 'card_declined' });
    // The outcome belongs to the key: a retry without the instruction does not turn it into money.
    expect(await gateway.charge({ ...request, metadata: {} })).toEqual({
      outcome: 'declined',
      reason: 'card_declined',
    });

    expect(await ledgerOf(request.paymentId)).toMatchObject({
      outcome: 'declined',
      decline_reason: 'card_declined',
      gateway_reference: null,
      captures: 0,
      attempts: 3,
    });
  });

  it('flaky: fails transiently on attempts 1 and 2, each attempt committed, then approves on the 3rd', async () => {
    const request = chargeRequest({ metadata: { simulate: SIMULATIONS.flaky } });

    for (const attempt of [1, 2]) {
      const error = await gateway.charge(request).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TransientGatewayError);
      expect((error as Error).message).toContain(`attempt ${attempt}`);
      // Read on another connection: the attempt was committed although the call threw.
      expect(await ledgerOf(request.paymentId)).toMatchObject({ attempts: attempt, captures: 0, outcome: null });
    }

    const third = await gateway.charge(request);

    expect(third).toEqual({ outcome: 'approved', gatewayReference: expect.stringMatching(/^sim_/) });
    expect(await gateway.charge(request)).toEqual(third);
    expect(await ledgerOf(request.paymentId)).toMatchObject({ attempts: 4, captures: 1, outcome: 'approved' });
  });

  it.each([
    ['approve', {}],
    ['decline', { simulate: SIMULATIONS.decline }],
  ])('10 concurrent charges with one key (%s): one decision, one outcome for all', async (_name, metadata) => {
    const request = chargeRequest({ metadata });

    const outcomes = await Promise.all(Array.from({ length: 10 }, () => gateway.charge({ ...request })));

    for (const outcome of outcomes) expect(outcome).toEqual(outcomes[0]);
    const ledger = await ledgerOf(request.paymentId);
    expect(ledger).toMatchObject({ attempts: 10, captures: outcomes[0]!.outcome === 'approved' ? 1 : 0 });
  });

  it('the same key with another amount is declined and moves no money, whatever the key already holds', async () => {
    const approved = chargeRequest({ amount: '10.00' });
    const original = await gateway.charge(approved);
    expect(original.outcome).toBe('approved');

    const reusedAmount = await gateway.charge({ ...approved, amount: '99.00' });
    const reusedCurrency = await gateway.charge({ ...approved, currency: 'USD' });

    for (const outcome of [reusedAmount, reusedCurrency]) {
      expect(outcome).toEqual({ outcome: 'declined', reason: 'idempotency key reused with another amount' });
    }
    expect(await gateway.charge(approved)).toEqual(original);
    expect(await ledgerOf(approved.paymentId)).toMatchObject({
      amount: '10.00',
      currency: 'EUR',
      outcome: 'approved',
      captures: 1,
      attempts: 4,
    });
  });

  it('a key reused with another amount before any outcome does not spoil the original request', async () => {
    const request = chargeRequest({ metadata: { simulate: SIMULATIONS.flaky } });
    await expect(gateway.charge(request)).rejects.toBeInstanceOf(TransientGatewayError);

    const reused = await gateway.charge({ ...request, amount: '99.00', metadata: {} });
    expect(reused).toEqual({ outcome: 'declined', reason: 'idempotency key reused with another amount' });
    expect(await ledgerOf(request.paymentId)).toMatchObject({ captures: 0, attempts: 2 });

    // The original request carries on: attempt 3 is past the planned failures, so it is approved.
    expect(await gateway.charge(request)).toEqual({
      outcome: 'approved',
      gatewayReference: expect.stringMatching(/^sim_/),
    });
    expect(await ledgerOf(request.paymentId)).toMatchObject({ amount: '12.50', captures: 1, attempts: 3 });
  });
});
