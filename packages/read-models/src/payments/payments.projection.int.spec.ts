/**
 * Proves the payments read model equals a replay of each payment stream: events are made by the
 * domain's own `decide`, stored with `appendToStream` and applied through the real runner
 * (`applyNextBatch`), and every row must equal `toPaymentView(foldPayment(events))`: after a full
 * life cycle, after a decline, after a deletion (no row), after a checkpoint rewound over events the
 * rows already hold (the version guard), and for random command sequences split across batches.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql, type Kysely } from 'kysely';
import { paymentStreamId } from '@gyroscops/contracts';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import {
  decide,
  foldPayment,
  formatStoredAmount,
  isDomainError,
  refundingMinor,
  toPaymentView,
  type PaymentCommand,
  type PaymentEvent,
} from '@gyroscops/domain';
import {
  appendToStream,
  eventStoreMigrations,
  type EventStoreDb,
  type EventStoreTables,
  type RecordedEvent,
} from '@gyroscops/event-store';
import { applyNextBatch, ensureCheckpoint, projectionMigrations, type ProjectionTables } from '@gyroscops/projections';
import { createDatabase, runMigrations, withTablesOf } from '@gyroscops/platform';
import { readModelMigrations } from '../migrations';
import { PAYMENTS_PROJECTION, paymentsProjection } from './payments.projection';
import { findPaymentView } from './payments.queries';
import type { PaymentReadTables } from './payments.table';

let env: TestEnvironment;
let eventStore: EventStoreDb;
let readDb: Kysely<PaymentReadTables>;
let runnerDb: Kysely<ProjectionTables>;

beforeAll(async () => {
  env = await createTestEnvironment();
  eventStore = createDatabase<EventStoreTables>({ url: env.eventStoreDatabaseUrl });
  readDb = createDatabase<PaymentReadTables>({ url: env.readDatabaseUrl });
  runnerDb = withTablesOf<ProjectionTables>(readDb);
  await runMigrations(eventStore, eventStoreMigrations);
  await runMigrations(readDb, projectionMigrations);
  await runMigrations(readDb, readModelMigrations);
  await ensureCheckpoint(runnerDb, PAYMENTS_PROJECTION, paymentsProjection.version);
});

afterAll(async () => {
  await Promise.all([eventStore?.destroy(), readDb?.destroy()]);
  await env?.dispose();
});

let clock = Date.UTC(2026, 0, 1);
const tick = () => new Date((clock += 1_000)).toISOString();

/** One payment's stream, written the way the command workflow writes it: decide on the fold, then append. */
class PaymentStream {
  readonly paymentId = randomUUID();
  readonly organizationId = `org-${randomUUID()}`;
  readonly events: PaymentEvent[] = [];
  lastPosition = 0n;

  /** Applies a command (built from the current state); returns false when the domain rejects it. */
  async run(command: (stream: PaymentStream) => PaymentCommand): Promise<boolean> {
    const state = foldPayment(this.events);
    const decision = decide(state, command(this), tick());
    if (isDomainError(decision)) return false;
    if (decision.length === 0) return true;
    const result = await appendToStream(eventStore, {
      streamId: paymentStreamId(this.paymentId),
      streamType: 'payment',
      expectedVersion: state.version === 0 ? 'no_stream' : state.version,
      events: decision.map((event) => ({
        eventId: randomUUID(),
        type: event.type,
        data: event.data,
        metadata: { organizationId: this.organizationId },
      })),
    });
    this.events.push(...decision);
    this.lastPosition = result.lastPosition;
    return true;
  }

  async runAll(...commands: ((stream: PaymentStream) => PaymentCommand)[]): Promise<this> {
    for (const command of commands) expect(await this.run(command)).toBe(true);
    return this;
  }

  get state() {
    return foldPayment(this.events);
  }
}

const create =
  (amount = '100.00', currency = 'EUR', invoiceId?: string) =>
  (s: PaymentStream): PaymentCommand => ({
    type: 'CreatePayment',
    data: {
      paymentId: s.paymentId,
      organizationId: s.organizationId,
      userId: 'user-1',
      amount,
      currency,
      description: 'order "42" é ✓',
      metadata: { channel: 'web' },
      ...(invoiceId !== undefined && { invoiceId }),
    },
  });
const approve = (s: PaymentStream): PaymentCommand => ({
  type: 'RecordChargeResult',
  data: { paymentId: s.paymentId, outcome: 'approved', gatewayReference: `sim_${randomUUID()}` },
});
const decline =
  (reason = 'card_declined') =>
  (s: PaymentStream): PaymentCommand => ({
    type: 'RecordChargeResult',
    data: { paymentId: s.paymentId, outcome: 'declined', reason },
  });
const update =
  (fields: { amount?: string; description?: string | null; metadata?: Record<string, string> }) =>
  (s: PaymentStream): PaymentCommand => ({
    type: 'UpdatePayment',
    data: { paymentId: s.paymentId, ...fields },
  });
const requestRefund =
  (amount: string) =>
  (s: PaymentStream): PaymentCommand => ({
    type: 'RefundPayment',
    data: { paymentId: s.paymentId, refundId: randomUUID(), amount, reason: null },
  });
/** The gateway's answer to the oldest refund in flight (a made-up id when there is none: the domain refuses it). */
const answerRefund =
  (outcome: 'approved' | 'declined') =>
  (s: PaymentStream): PaymentCommand => {
    const state = s.state;
    const refundId = (state.kind === 'absent' ? undefined : Object.keys(state.refundsInFlight)[0]) ?? randomUUID();
    return {
      type: 'RecordRefundResult',
      data:
        outcome === 'approved'
          ? { paymentId: s.paymentId, refundId, outcome, gatewayReference: `sim_re_${randomUUID()}` }
          : { paymentId: s.paymentId, refundId, outcome, reason: 'refund_declined' },
    };
  };
/** A refund the gateway approved: RefundRequested, then PaymentRefunded. */
const refund = (amount: string) => [requestRefund(amount), answerRefund('approved')];
const remove = (s: PaymentStream): PaymentCommand => ({
  type: 'DeletePayment',
  data: { paymentId: s.paymentId, reason: 'test' },
});

/** Applies batches until the projection has every event up to `position` (another file's transaction may hold some back a moment). */
async function project(position: bigint, batchSize = 50): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await applyNextBatch(runnerDb, eventStore, paymentsProjection, batchSize)).position < position) {
    if (Date.now() > deadline) throw new Error(`the projection never reached ${position}`);
  }
}

const rewindCheckpoint = () =>
  sql`UPDATE projection_checkpoints SET position = 0 WHERE projection = ${PAYMENTS_PROJECTION}`.execute(readDb);

const rowOf = (stream: PaymentStream) =>
  readDb.selectFrom('payments').selectAll().where('payment_id', '=', stream.paymentId).executeTakeFirst();

/** The row equals the fold of its stream (or is absent for a deleted payment), including what the view leaves out. */
async function expectRowToEqualFold(stream: PaymentStream): Promise<void> {
  const state = stream.state;
  if (state.kind !== 'live') {
    expect(await findPaymentView(readDb, stream.paymentId)).toBeUndefined();
    return;
  }
  expect(await findPaymentView(readDb, stream.paymentId)).toEqual(toPaymentView(state));
  expect(await rowOf(stream)).toMatchObject({
    gateway_reference: state.gatewayReference,
    last_position: stream.lastPosition.toString(),
  });
}

describe('paymentsProjection', () => {
  it('keeps the row equal to the fold through create, charge, update and refunds', async () => {
    const stream = new PaymentStream();
    // The amount cannot change while the charge is in flight (a pending payment is being charged): only text and metadata here.
    await stream.runAll(
      create('100.00'),
      update({ description: null, metadata: { channel: 'api', note: 'x' } }),
      approve,
    );
    await project(stream.lastPosition);
    await expectRowToEqualFold(stream);
    expect(await findPaymentView(readDb, stream.paymentId)).toMatchObject({
      status: 'processed',
      amount: '100.00',
      version: 3,
      deleted: false,
    });

    await stream.runAll(requestRefund('30.00'));
    await project(stream.lastPosition);
    // Asked of the gateway, not moved back yet: the view does not count it as refunded.
    expect(await findPaymentView(readDb, stream.paymentId)).toMatchObject({
      status: 'processed',
      refundedAmount: '0.00',
      version: 4,
    });

    await stream.runAll(answerRefund('approved'), update({ description: 'after refund' }), ...refund('70.00'));
    await project(stream.lastPosition);

    await expectRowToEqualFold(stream);
    expect(await findPaymentView(readDb, stream.paymentId)).toMatchObject({
      status: 'refunded',
      refundedAmount: '100.00',
      version: 8,
    });
  });

  it('a declined refund changes neither the refunded amount nor the status', async () => {
    const stream = await new PaymentStream().runAll(
      create('40.00'),
      approve,
      requestRefund('15.00'),
      answerRefund('declined'),
    );
    await project(stream.lastPosition);

    await expectRowToEqualFold(stream);
    expect(await findPaymentView(readDb, stream.paymentId)).toMatchObject({
      status: 'processed',
      refundedAmount: '0.00',
      version: 4,
    });
  });

  it('a declined payment is failed with its reason', async () => {
    const stream = await new PaymentStream().runAll(create('12.345', 'BHD'), decline('insufficient_funds'));
    await project(stream.lastPosition);

    await expectRowToEqualFold(stream);
    expect(await findPaymentView(readDb, stream.paymentId)).toMatchObject({
      status: 'failed',
      failureReason: 'insufficient_funds',
      amount: '12.345',
      currency: 'BHD',
    });
  });

  it('removes the row of a deleted payment, whether or not it was already projected', async () => {
    const projectedFirst = await new PaymentStream().runAll(create(), approve);
    await project(projectedFirst.lastPosition);
    expect(await rowOf(projectedFirst)).toBeDefined();
    await projectedFirst.run(remove);
    const deletedAtOnce = await new PaymentStream().runAll(create(), decline(), remove);

    await project(deletedAtOnce.lastPosition);

    expect(await rowOf(projectedFirst)).toBeUndefined();
    expect(await rowOf(deletedAtOnce)).toBeUndefined();
  });

  it('given a checkpoint rewound over events the rows already hold, then no row changes and only newer events apply', async () => {
    const stream = await new PaymentStream().runAll(create('50.00'), approve, update({ description: 'v3' }));
    await project(stream.lastPosition);
    const allRows = () => readDb.selectFrom('payments').selectAll().orderBy('payment_id').execute();
    const before = await allRows();

    // Every event of this file comes again, in small batches: only the version guard stands in the way.
    await rewindCheckpoint();
    await project(stream.lastPosition, 2);

    expect(await allRows()).toEqual(before);

    await stream.runAll(...refund('20.00'));
    await rewindCheckpoint();
    await project(stream.lastPosition, 3);

    await expectRowToEqualFold(stream);
    expect(await findPaymentView(readDb, stream.paymentId)).toMatchObject({
      version: 5,
      status: 'partially_refunded',
      refundedAmount: '20.00',
    });
  });

  it('folds events whose paymentId is spelled in upper case into the one payment, by its canonical id', async () => {
    // As a writer that did not canonicalize its input spelled them: the stream id canonical, the data not.
    const stream = new PaymentStream();
    const shouted = stream.paymentId.toUpperCase();
    const appendAs = async (paymentId: string, command: (s: PaymentStream) => PaymentCommand) => {
      const state = stream.state;
      const decision = decide(state, command(stream), tick());
      if (isDomainError(decision)) throw decision;
      const result = await appendToStream(eventStore, {
        streamId: paymentStreamId(stream.paymentId),
        streamType: 'payment',
        expectedVersion: state.version === 0 ? 'no_stream' : state.version,
        events: decision.map((event) => ({
          eventId: randomUUID(),
          type: event.type,
          data: { ...event.data, paymentId },
          metadata: { organizationId: stream.organizationId },
        })),
      });
      stream.events.push(...decision);
      stream.lastPosition = result.lastPosition;
    };
    // Both spellings in one batch, then an upper-case event on a row that exists.
    await appendAs(shouted, create('40.00'));
    await appendAs(stream.paymentId, approve);
    await project(stream.lastPosition);
    await appendAs(shouted, update({ description: 'shouted' }));
    await project(stream.lastPosition);

    await expectRowToEqualFold(stream);
    expect(await findPaymentView(readDb, stream.paymentId)).toMatchObject({
      paymentId: stream.paymentId,
      status: 'processed',
      description: 'shouted',
      version: 3,
    });
  });

  it('keeps the invoice an invoice payment pays, and null for a payment of its own', async () => {
    const invoiceId = randomUUID();
    const invoicePayment = await new PaymentStream().runAll(create('12.34', 'EUR', invoiceId), approve);
    const own = await new PaymentStream().runAll(create());
    await project(own.lastPosition);
    await expectRowToEqualFold(invoicePayment);
    await expectRowToEqualFold(own);
    expect(await rowOf(invoicePayment)).toMatchObject({ invoice_id: invoiceId, status: 'processed' });
    expect(await findPaymentView(readDb, own.paymentId)).toMatchObject({ invoiceId: null });
  });

  describe('refuses, loudly and without writing, a batch that would fold two histories into one row', () => {
    const recorded = (streamId: string, paymentId: string, position: bigint): RecordedEvent => ({
      position,
      streamId,
      streamType: 'payment',
      streamVersion: 1,
      eventId: randomUUID(),
      type: 'PaymentInitiated',
      schemaVersion: 1,
      data: {
        paymentId,
        organizationId: 'org-x',
        userId: 'user-1',
        amount: '1.00',
        currency: 'EUR',
        description: null,
        metadata: {},
        occurredAt: tick(),
      },
      metadata: {},
      recordedAt: new Date(),
    });
    const applyAlone = (events: RecordedEvent[]) =>
      readDb.transaction().execute((trx) => paymentsProjection.apply(events, trx));

    it('an event whose stream is not its payment’s', async () => {
      const paymentId = randomUUID();
      await expect(applyAlone([recorded(paymentStreamId(randomUUID()), paymentId, 1n)])).rejects.toThrow(
        /names payment .* but sits in stream/,
      );
      await expect(applyAlone([recorded(`invoice-${paymentId}`, paymentId, 1n)])).rejects.toThrow(/sits in stream/);
      expect(await findPaymentView(readDb, paymentId)).toBeUndefined();
    });

    it('two streams naming one payment (split spellings of its id)', async () => {
      const paymentId = randomUUID();
      await expect(
        applyAlone([
          recorded(paymentStreamId(paymentId), paymentId, 1n),
          recorded(paymentStreamId(paymentId.toUpperCase()), paymentId.toUpperCase(), 2n),
        ]),
      ).rejects.toThrow(/has two streams/);
      expect(await findPaymentView(readDb, paymentId)).toBeUndefined();
    });

    it('but folds a stream that spells its own id in upper case, as before the repair', async () => {
      const paymentId = randomUUID();
      await applyAlone([recorded(paymentStreamId(paymentId.toUpperCase()), paymentId.toUpperCase(), 1n)]);
      expect(await findPaymentView(readDb, paymentId)).toMatchObject({ paymentId, status: 'pending' });
      await sql`DELETE FROM payments WHERE payment_id = ${paymentId}::uuid`.execute(readDb);
    });
  });

  it('property: for random command sequences over many payments, every row equals the fold of its stream', async () => {
    const CURRENCIES = ['EUR', 'JPY', 'BHD', 'CLF'] as const;
    const step = fc.oneof(
      fc.record({ kind: fc.constant('approve' as const) }),
      fc.record({ kind: fc.constant('decline' as const), reason: fc.constantFrom('card_declined', 'expired_card') }),
      fc.record({ kind: fc.constant('amount' as const), minor: fc.integer({ min: 1, max: 50_000 }) }),
      fc.record({
        kind: fc.constant('describe' as const),
        text: fc.option(fc.string({ maxLength: 30 }), { nil: null }),
      }),
      fc.record({
        kind: fc.constant('metadata' as const),
        metadata: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
      }),
      fc.record({ kind: fc.constant('refund' as const), share: fc.constantFrom(1, 2, 3) }),
      fc.record({ kind: fc.constant('refundAnswer' as const), outcome: fc.constantFrom('approved', 'declined') }),
      fc.record({ kind: fc.constant('delete' as const) }),
    );
    const script = fc.record({
      currency: fc.constantFrom(...CURRENCIES),
      minor: fc.integer({ min: 1, max: 50_000 }),
      steps: fc.array(step, { maxLength: 8 }),
    });
    type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

    const commandOf = (s: PaymentStream, each: Step): PaymentCommand => {
      const state = s.state;
      const currency = state.kind === 'absent' ? 'EUR' : state.currency;
      switch (each.kind) {
        case 'approve':
          return approve(s);
        case 'decline':
          return decline(each.reason)(s);
        case 'amount':
          return update({ amount: formatStoredAmount(BigInt(each.minor), currency) })(s);
        case 'describe':
          return update({ description: each.text })(s);
        case 'metadata':
          return update({ metadata: each.metadata })(s);
        case 'refund': {
          const rest = state.kind === 'absent' ? 1n : state.amountMinor - state.refundedMinor - refundingMinor(state);
          return requestRefund(formatStoredAmount(each.share === 1 ? rest : rest / BigInt(each.share) || 1n, currency))(
            s,
          );
        }
        case 'refundAnswer':
          return answerRefund(each.outcome)(s);
        case 'delete':
          return remove(s);
        default: {
          const _exhaustive: never = each;
          return _exhaustive;
        }
      }
    };

    let payments = 0;
    const seenTypes = new Set<string>();
    // Two fixed scripts ride along every run, so every kind of event shows up whatever the random draw.
    const alwaysIncluded: fc.Arbitrary<(typeof script extends fc.Arbitrary<infer T> ? T : never)[]> = fc.constant([
      {
        currency: 'EUR' as const,
        minor: 10_000,
        steps: [
          { kind: 'approve' as const },
          { kind: 'refund' as const, share: 2 as const },
          { kind: 'refundAnswer' as const, outcome: 'approved' as const },
          { kind: 'refund' as const, share: 1 as const },
          { kind: 'refundAnswer' as const, outcome: 'declined' as const },
          { kind: 'refund' as const, share: 1 as const },
          { kind: 'refundAnswer' as const, outcome: 'approved' as const },
          { kind: 'delete' as const },
        ],
      },
      {
        currency: 'JPY' as const,
        minor: 500,
        steps: [
          { kind: 'decline' as const, reason: 'card_declined' as const },
          { kind: 'describe' as const, text: 'declined' },
        ],
      },
    ]);
    const scriptsOfARun = fc
      .tuple(fc.array(script, { minLength: 6, maxLength: 10 }), alwaysIncluded)
      .map(([random, fixed]) => [...random, ...fixed]);
    await fc.assert(
      fc.asyncProperty(scriptsOfARun, fc.integer({ min: 1, max: 25 }), async (scripts, batchSize) => {
        const streams = scripts.map(() => new PaymentStream());
        payments += streams.length;
        await Promise.all(
          streams.map((s, i) =>
            s.run(create(formatStoredAmount(BigInt(scripts[i]!.minor), scripts[i]!.currency), scripts[i]!.currency)),
          ),
        );
        // Round-robin, so the payments' events interleave in the global order and across batches.
        const longest = Math.max(0, ...scripts.map((each) => each.steps.length));
        for (let i = 0; i < longest; i++) {
          await Promise.all(
            streams.map((s, n) =>
              scripts[n]!.steps[i] ? s.run((it) => commandOf(it, scripts[n]!.steps[i]!)) : undefined,
            ),
          );
        }
        await project(
          streams.reduce((max, s) => (s.lastPosition > max ? s.lastPosition : max), 0n),
          batchSize,
        );
        for (const s of streams) await expectRowToEqualFold(s);
        for (const s of streams) for (const event of s.events) seenTypes.add(event.type);
      }),
      { numRuns: 4 },
    );
    expect(payments).toBeGreaterThanOrEqual(32);
    // The sequences must reach every kind of event, or the property proves little.
    expect([...seenTypes].sort()).toEqual([
      'PaymentDeleted',
      'PaymentFailed',
      'PaymentInitiated',
      'PaymentProcessed',
      'PaymentRefunded',
      'PaymentUpdated',
      'RefundDeclined',
      'RefundRequested',
    ]);
  });
});
