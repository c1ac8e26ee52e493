import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import {
  TransientGatewayError,
  type ChargeOutcome,
  type ChargeRequest,
  type PaymentGateway,
  type RefundOutcome,
  type RefundRequest,
} from '../payment-gateway';
import type { SimulatedGatewayTables } from './tables';

/** `metadata.simulate` values the simulated gateway understands. */
export const SIMULATIONS = {
  /** The card is declined: the payment ends failed with a reason. */
  decline: 'decline',
  /** Fails transiently twice, then approves (each charge, and each refund of the payment): shows Temporal's activity retries. */
  flaky: 'flaky',
  /** The charge is approved, every refund of the payment declined. */
  refundDecline: 'refund_decline',
  /**
   * The gateway captures the money, then its answer is lost: every charge call (the first and each
   * retry, which replays the capture) fails transiently after the ledger recorded it. Only a lookup
   * by idempotency key tells what happened.
   */
  answerLost: 'answer_lost',
  /** The gateway is never reached: every charge call fails transiently and nothing is recorded. */
  unreachable: 'unreachable',
  /** The charge is approved; each refund moves the money back, then its answer is lost (as answer_lost). */
  refundAnswerLost: 'refund_answer_lost',
  /** The charge is approved; no refund call ever reaches the gateway (as unreachable). */
  refundUnreachable: 'refund_unreachable',
} as const;

/** Simulations whose charge calls never take the one-statement first attempt. */
const CHARGE_SIMULATIONS_IN_TRANSACTION: readonly string[] = [SIMULATIONS.flaky, SIMULATIONS.answerLost];

/** Where a lookup finds a key that no call ever used, or one with no outcome: nothing moved, and nothing will. */
const CLOSED_KEY_REASON = 'closed_without_outcome';

const FLAKY_FAILURES = 2;

/**
 * A gateway that behaves like a real provider with idempotency keys (Stripe-style): its ledger lives
 * in Postgres, so a charge retried after a worker crash replays the stored outcome instead of
 * moving money again. Approves unless told otherwise through `metadata.simulate`.
 */
export function createSimulatedGateway(db: Kysely<SimulatedGatewayTables>): PaymentGateway {
  return {
    name: 'simulated',
    async charge(request) {
      if (request.metadata.simulate === SIMULATIONS.unreachable) {
        throw new TransientGatewayError('simulated gateway unreachable (charge never received)');
      }
      const first = await firstAttemptInOneStatement(db, request);
      if (first) return first;
      const result = await db.transaction().execute(async (trx) => chargeOnce(trx, request));
      // Thrown only after the transaction committed the attempt, as a real provider would count it.
      if (result.outcome === 'unavailable') throw new TransientGatewayError(result.message);
      return result;
    },
    async refund(request) {
      if (request.metadata.simulate === SIMULATIONS.refundUnreachable) {
        throw new TransientGatewayError('simulated gateway unreachable (refund never received)');
      }
      const result = await db.transaction().execute(async (trx) => refundOnce(trx, request));
      // As for charges: the attempt is committed before the caller hears of the failure.
      if (result.outcome === 'unavailable') throw new TransientGatewayError(result.message);
      return result;
    },
    async findCharge(idempotencyKey) {
      const row = await closeOrFind(db, 'simulated_gateway_charges', idempotencyKey);
      if (row.outcome === 'approved') return { outcome: 'approved', gatewayReference: row.gateway_reference ?? '' };
      if (row.decline_reason === CLOSED_KEY_REASON) return { outcome: 'none' };
      return { outcome: 'declined', reason: row.decline_reason ?? 'declined' };
    },
    async findRefund(idempotencyKey) {
      const row = await closeOrFind(db, 'simulated_gateway_refunds', idempotencyKey);
      if (row.outcome === 'approved') return { outcome: 'approved', gatewayReference: row.gateway_reference ?? '' };
      if (row.decline_reason === CLOSED_KEY_REASON) return { outcome: 'none' };
      return { outcome: 'declined', reason: row.decline_reason ?? 'declined' };
    },
  };
}

/**
 * A lookup by idempotency key that also closes a key under which nothing moved, so that `none` stays
 * true: the key's row is inserted as declined (`closed_without_outcome`) if no call ever used it, or
 * given that outcome if calls came but none recorded one (a flaky attempt). The insert waits for a
 * call that holds the key's row in an open transaction, so a charge in progress is answered once it
 * committed. A later charge or refund with the key replays the closed outcome: declined, no money.
 */
async function closeOrFind(
  db: Kysely<SimulatedGatewayTables>,
  table: 'simulated_gateway_charges' | 'simulated_gateway_refunds',
  idempotencyKey: string,
): Promise<{
  outcome: 'approved' | 'declined' | null;
  decline_reason: string | null;
  gateway_reference: string | null;
}> {
  const closing = table === 'simulated_gateway_charges' ? { payment_id: '' } : { payment_id: '', refund_id: '' };
  const { rows } = await sql<{
    outcome: 'approved' | 'declined';
    decline_reason: string | null;
    gateway_reference: string | null;
  }>`
    INSERT INTO ${sql.table(table)} AS ledger (idempotency_key, ${sql.join(Object.keys(closing).map((column) => sql.ref(column)))}, amount, currency, outcome, decline_reason)
    VALUES (${idempotencyKey}, ${sql.join(Object.values(closing))}, '', '', 'declined', ${CLOSED_KEY_REASON})
    ON CONFLICT (idempotency_key) DO UPDATE
      SET outcome = coalesce(ledger.outcome, 'declined'),
          decline_reason = CASE WHEN ledger.outcome IS NULL THEN ${CLOSED_KEY_REASON} ELSE ledger.decline_reason END,
          updated_at = CASE WHEN ledger.outcome IS NULL THEN now() ELSE ledger.updated_at END
    RETURNING outcome, decline_reason, gateway_reference`.execute(db);
  const row = rows[0];
  if (row === undefined) throw new TransientGatewayError(`lookup of ${idempotencyKey} answered nothing`);
  return row;
}

type AttemptResult = ChargeOutcome | { outcome: 'unavailable'; message: string };

/**
 * The common case, a key never seen before that is not set to fail, in one autocommitted statement:
 * the attempt and its outcome are inserted together (one round trip instead of four). Any key the
 * ledger already holds, and every flaky request, takes the transaction of `chargeOnce` instead, which
 * replays stored outcomes and counts attempts; null sends the call there.
 */
async function firstAttemptInOneStatement(
  db: Kysely<SimulatedGatewayTables>,
  request: ChargeRequest,
): Promise<ChargeOutcome | null> {
  if (CHARGE_SIMULATIONS_IN_TRANSACTION.includes(request.metadata.simulate ?? '')) return null;
  const outcome: ChargeOutcome =
    request.metadata.simulate === SIMULATIONS.decline
      ? { outcome: 'declined', reason: 'card_declined' }
      : { outcome: 'approved', gatewayReference: `sim_${randomUUID()}` };
  const inserted = await db
    .insertInto('simulated_gateway_charges')
    .values({
      idempotency_key: request.idempotencyKey,
      payment_id: request.paymentId,
      amount: request.amount,
      currency: request.currency,
      attempts: 1,
      captures: outcome.outcome === 'approved' ? 1 : 0,
      outcome: outcome.outcome,
      decline_reason: outcome.outcome === 'declined' ? outcome.reason : null,
      gateway_reference: outcome.outcome === 'approved' ? outcome.gatewayReference : null,
    })
    .onConflict((conflict) => conflict.column('idempotency_key').doNothing())
    .returning('idempotency_key')
    .executeTakeFirst();
  return inserted ? outcome : null;
}

async function chargeOnce(trx: Kysely<SimulatedGatewayTables>, request: ChargeRequest): Promise<AttemptResult> {
  // The upsert takes the key's row lock: concurrent calls with one key run one after the other.
  const row = await trx
    .insertInto('simulated_gateway_charges')
    .values({
      idempotency_key: request.idempotencyKey,
      payment_id: request.paymentId,
      amount: request.amount,
      currency: request.currency,
      attempts: 1,
    })
    .onConflict((conflict) =>
      conflict
        .column('idempotency_key')
        .doUpdateSet({ attempts: sql`simulated_gateway_charges.attempts + 1`, updated_at: sql`now()` }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();

  // Checked before replaying, and never recorded (as Stripe refuses such a request): a reused key must
  // neither be told the other amount was approved nor spoil the outcome of the request that owns the key.
  if (row.amount !== request.amount || row.currency !== request.currency) {
    return { outcome: 'declined', reason: 'idempotency key reused with another amount' };
  }
  const simulate = request.metadata.simulate;
  if (simulate === SIMULATIONS.answerLost && row.outcome === 'approved') return answerLost(row.attempts);
  if (row.outcome === 'approved') return { outcome: 'approved', gatewayReference: row.gateway_reference ?? '' };
  if (row.outcome === 'declined') return { outcome: 'declined', reason: row.decline_reason ?? 'declined' };

  if (simulate === SIMULATIONS.flaky && row.attempts <= FLAKY_FAILURES) {
    return {
      outcome: 'unavailable',
      message: `simulated gateway unavailable (attempt ${row.attempts} of ${FLAKY_FAILURES} planned failures)`,
    };
  }
  if (simulate === SIMULATIONS.decline) return record(trx, request, { outcome: 'declined', reason: 'card_declined' });
  const captured = await record(trx, request, { outcome: 'approved', gatewayReference: `sim_${randomUUID()}` });
  // The capture commits with the transaction; only its answer is lost on the way back.
  return simulate === SIMULATIONS.answerLost ? answerLost(row.attempts) : captured;
}

const answerLost = (attempt: number): { outcome: 'unavailable'; message: string } => ({
  outcome: 'unavailable',
  message: `simulated lost answer: the gateway moved the money, then the connection dropped (attempt ${attempt})`,
});

async function record(
  trx: Kysely<SimulatedGatewayTables>,
  request: ChargeRequest,
  outcome: ChargeOutcome,
): Promise<ChargeOutcome> {
  await trx
    .updateTable('simulated_gateway_charges')
    .set({
      outcome: outcome.outcome,
      decline_reason: outcome.outcome === 'declined' ? outcome.reason : null,
      gateway_reference: outcome.outcome === 'approved' ? outcome.gatewayReference : null,
      captures: outcome.outcome === 'approved' ? sql`captures + 1` : sql`captures`,
      updated_at: sql`now()`,
    })
    .where('idempotency_key', '=', request.idempotencyKey)
    .execute();
  return outcome;
}

type RefundAttemptResult = RefundOutcome | { outcome: 'unavailable'; message: string };

async function refundOnce(trx: Kysely<SimulatedGatewayTables>, request: RefundRequest): Promise<RefundAttemptResult> {
  // A refund names the capture by the reference its charge answered, as real gateways do; the
  // ledger keeps the payment id as the charge spelled it.
  const capture = await trx
    .selectFrom('simulated_gateway_charges')
    .select('payment_id')
    .where('gateway_reference', '=', request.chargeReference)
    .where('outcome', '=', 'approved')
    .executeTakeFirst();
  if (capture === undefined) return { outcome: 'declined', reason: 'no_such_charge' };
  const paymentId = capture.payment_id;
  // The upsert takes the key's row lock: concurrent calls with one key run one after the other.
  const row = await trx
    .insertInto('simulated_gateway_refunds')
    .values({
      idempotency_key: request.idempotencyKey,
      payment_id: paymentId,
      refund_id: request.refundId,
      amount: request.amount,
      currency: request.currency,
      attempts: 1,
    })
    .onConflict((conflict) =>
      conflict
        .column('idempotency_key')
        .doUpdateSet({ attempts: sql`simulated_gateway_refunds.attempts + 1`, updated_at: sql`now()` }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();

  if (
    row.amount !== request.amount ||
    row.currency !== request.currency ||
    row.payment_id !== paymentId ||
    row.refund_id !== request.refundId
  ) {
    return { outcome: 'declined', reason: 'idempotency key reused with another refund' };
  }
  const simulate = request.metadata.simulate;
  if (simulate === SIMULATIONS.refundAnswerLost && row.outcome === 'approved') return answerLost(row.attempts);
  if (row.outcome === 'approved') return { outcome: 'approved', gatewayReference: row.gateway_reference ?? '' };
  if (row.outcome === 'declined') return { outcome: 'declined', reason: row.decline_reason ?? 'declined' };

  if (simulate === SIMULATIONS.flaky && row.attempts <= FLAKY_FAILURES) {
    return {
      outcome: 'unavailable',
      message: `simulated gateway unavailable (refund attempt ${row.attempts} of ${FLAKY_FAILURES} planned failures)`,
    };
  }
  if (simulate === SIMULATIONS.refundDecline) {
    return recordRefund(trx, request, { outcome: 'declined', reason: 'refund_declined' });
  }
  // Two different refunds of one payment must not both fit in what is left: they take turns per payment.
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`simulated-refund:${paymentId}`}))`.execute(trx);
  const { rows } = await sql<{ fits: boolean | null }>`
    SELECT ${request.amount}::numeric <= captured.total - refunded.total AS fits
    FROM (SELECT coalesce(sum(amount::numeric), 0) AS total FROM simulated_gateway_charges
          WHERE payment_id = ${paymentId} AND currency = ${request.currency} AND outcome = 'approved') AS captured,
         (SELECT coalesce(sum(amount::numeric), 0) AS total FROM simulated_gateway_refunds
          WHERE payment_id = ${paymentId} AND currency = ${request.currency} AND outcome = 'approved') AS refunded`.execute(
    trx,
  );
  if (rows[0]?.fits !== true) {
    return recordRefund(trx, request, { outcome: 'declined', reason: 'amount_exceeds_refundable' });
  }
  const refunded = await recordRefund(trx, request, {
    outcome: 'approved',
    gatewayReference: `sim_re_${randomUUID()}`,
  });
  return simulate === SIMULATIONS.refundAnswerLost ? answerLost(row.attempts) : refunded;
}

async function recordRefund(
  trx: Kysely<SimulatedGatewayTables>,
  request: RefundRequest,
  outcome: RefundOutcome,
): Promise<RefundOutcome> {
  await trx
    .updateTable('simulated_gateway_refunds')
    .set({
      outcome: outcome.outcome,
      decline_reason: outcome.outcome === 'declined' ? outcome.reason : null,
      gateway_reference: outcome.outcome === 'approved' ? outcome.gatewayReference : null,
      refunds: outcome.outcome === 'approved' ? sql`refunds + 1` : sql`refunds`,
      updated_at: sql`now()`,
    })
    .where('idempotency_key', '=', request.idempotencyKey)
    .execute();
  return outcome;
}

/** What the simulated gateway refunded for a payment: used by tests to prove money moved back once. */
export async function simulatedRefundsOf(db: Kysely<SimulatedGatewayTables>, paymentId: string) {
  return db
    .selectFrom('simulated_gateway_refunds')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .orderBy('created_at')
    .execute();
}

/** What the simulated gateway did for a payment: used by tests to prove money moved once. */
export async function simulatedChargesOf(db: Kysely<SimulatedGatewayTables>, paymentId: string) {
  return db.selectFrom('simulated_gateway_charges').selectAll().where('payment_id', '=', paymentId).execute();
}
