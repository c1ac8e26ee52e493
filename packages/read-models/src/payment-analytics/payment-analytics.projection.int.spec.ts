/**
 * The `payment_analytics` read model against real databases: payment streams decided by the domain's
 * `decide` and appended as the command workflow appends them, applied through the real runner. How
 * we know no event is lost or applied twice: `paymentAnalyticsDifferences` recomputes the table from
 * the event store with the domain's foldPayment and must find nothing after every step; a checkpoint
 * moved back over applied events changes no row (each payment's stream version guards it); a rebuild
 * leaves exactly the rows the live projection made.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { PAYMENT_STREAM_TYPE, paymentStreamId } from '@gyroscops/contracts';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import { decide, foldPayment, isDomainError, type PaymentCommand, type PaymentEvent } from '@gyroscops/domain';
import { appendToStream, eventStoreMigrations, type EventStoreDb, type EventStoreTables } from '@gyroscops/event-store';
import {
  applyNextBatch,
  ensureCheckpoint,
  prepareRebuild,
  projectionMigrations,
  swapRebuild,
  type ProjectionTables,
} from '@gyroscops/projections';
import { createDatabase, runMigrations, withTablesOf } from '@gyroscops/platform';
import { readModelMigrations } from '../migrations';
import { PAYMENT_ANALYTICS_PROJECTION, paymentAnalyticsProjection } from './payment-analytics.projection';
import { readPaymentAnalytics } from './payment-analytics.queries';
import { paymentAnalyticsDifferences } from './payment-analytics.reference';
import type { PaymentAnalyticsTables } from './payment-analytics.table';

let env: TestEnvironment;
let eventStore: EventStoreDb;
let readDb: Kysely<PaymentAnalyticsTables>;
let runnerDb: Kysely<ProjectionTables>;

beforeAll(async () => {
  env = await createTestEnvironment();
  eventStore = createDatabase<EventStoreTables>({ url: env.eventStoreDatabaseUrl });
  readDb = createDatabase<PaymentAnalyticsTables>({ url: env.readDatabaseUrl });
  runnerDb = withTablesOf<ProjectionTables>(readDb);
  await runMigrations(eventStore, eventStoreMigrations);
  await runMigrations(readDb, projectionMigrations);
  await runMigrations(readDb, readModelMigrations);
  await ensureCheckpoint(runnerDb, PAYMENT_ANALYTICS_PROJECTION, paymentAnalyticsProjection.version);
});

afterAll(async () => {
  await Promise.all([eventStore?.destroy(), readDb?.destroy()]);
  await env?.dispose();
});

const organizationId = `org-${randomUUID()}`;
let lastPosition = 0n;

/** A payment created at `createdAt`, then taken through `steps`, each decided by the domain on the stream's fold. */
async function payment(
  createdAt: string,
  amount: string,
  currency: string,
  steps: ((paymentId: string, state: ReturnType<typeof foldPayment>) => PaymentCommand)[] = [],
  organization = organizationId,
): Promise<string> {
  const paymentId = randomUUID();
  const events: PaymentEvent[] = [];
  const commands: ((id: string, state: ReturnType<typeof foldPayment>) => PaymentCommand)[] = [
    (id) => ({
      type: 'CreatePayment',
      data: {
        paymentId: id,
        organizationId: organization,
        userId: 'user-1',
        amount,
        currency,
        description: null,
        metadata: {},
      },
    }),
    ...steps,
  ];
  let now = Date.parse(createdAt);
  for (const command of commands) {
    const state = foldPayment(events);
    const decision = decide(state, command(paymentId, state), new Date(now).toISOString());
    now += 1000;
    if (isDomainError(decision)) throw decision;
    const result = await appendToStream(eventStore, {
      streamId: paymentStreamId(paymentId),
      streamType: PAYMENT_STREAM_TYPE,
      expectedVersion: state.version === 0 ? 'no_stream' : state.version,
      events: decision.map((event) => ({
        eventId: randomUUID(),
        type: event.type,
        data: event.data,
        metadata: { organizationId: organization },
      })),
    });
    events.push(...decision);
    lastPosition = result.lastPosition;
  }
  return paymentId;
}
const approve = (paymentId: string): PaymentCommand => ({
  type: 'RecordChargeResult',
  data: { paymentId, outcome: 'approved', gatewayReference: `sim_${randomUUID()}` },
});
const decline = (paymentId: string): PaymentCommand => ({
  type: 'RecordChargeResult',
  data: { paymentId, outcome: 'declined', reason: 'card_declined' },
});
const refundId = randomUUID();
const requestRefund =
  (amount: string, id = refundId) =>
  (paymentId: string): PaymentCommand => ({
    type: 'RefundPayment',
    data: { paymentId, refundId: id, amount, reason: null },
  });
const refundApproved =
  (id = refundId) =>
  (paymentId: string): PaymentCommand => ({
    type: 'RecordRefundResult',
    data: { paymentId, refundId: id, outcome: 'approved', gatewayReference: `sim_re_${randomUUID()}` },
  });
const remove = (paymentId: string): PaymentCommand => ({ type: 'DeletePayment', data: { paymentId, reason: null } });

async function project(batchSize = 50): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await applyNextBatch(runnerDb, eventStore, paymentAnalyticsProjection, batchSize)).position < lastPosition) {
    if (Date.now() > deadline) throw new Error(`the projection never reached ${lastPosition}`);
  }
}
const allRows = () =>
  sql`SELECT organization_id, currency, hour, status, count::text, amount_minor::text, refunded_minor::text FROM payment_analytics ORDER BY 1, 2, 3, 4`
    .execute(readDb)
    .then((result) => result.rows);

describe('paymentAnalyticsProjection', () => {
  beforeAll(async () => {
    // The last millisecond of January, and three payments in the first hour of February.
    await payment('2026-01-31T23:59:59.999Z', '10.00', 'EUR', [approve]);
    await payment('2026-02-01T00:00:00.000Z', '0.10', 'EUR', [decline]);
    const second = refundId;
    await payment('2026-02-01T00:10:00.000Z', '0.20', 'EUR', [
      approve,
      requestRefund('0.05', second),
      refundApproved(second),
    ]);
    await payment('2026-02-01T00:20:00.000Z', '1500', 'JPY', [approve]);
    await payment('2026-02-01T00:30:00.000Z', '99.99', 'EUR', [decline, remove]);
    await payment('2026-02-01T00:40:00.000Z', '5.00', 'EUR');
    await payment('2026-02-01T00:50:00.000Z', '7.00', 'EUR', [approve], `org-${randomUUID()}`);
    await project();
  });

  it('counts payments by their UTC creation bucket and status, amounts summed exactly in minor units', async () => {
    const daily = await readPaymentAnalytics(readDb, {
      organizationIds: [organizationId],
      from: new Date('2026-01-31T00:00:00Z'),
      to: new Date('2026-02-02T00:00:00Z'),
      interval: 'day',
    });
    expect(daily).toEqual([
      {
        start: '2026-01-31T00:00:00.000Z',
        currency: 'EUR',
        count: 1,
        amount: '10.00',
        processed: 1,
        processedAmount: '10.00',
        failed: 0,
        refundedAmount: '0.00',
      },
      {
        // 0.10 + 0.20 + 5.00: the deleted payment and the other organization's are not counted.
        start: '2026-02-01T00:00:00.000Z',
        currency: 'EUR',
        count: 3,
        amount: '5.30',
        processed: 1,
        processedAmount: '0.20',
        failed: 1,
        refundedAmount: '0.05',
      },
      {
        start: '2026-02-01T00:00:00.000Z',
        currency: 'JPY',
        count: 1,
        amount: '1500',
        processed: 1,
        processedAmount: '1500',
        failed: 0,
        refundedAmount: '0',
      },
    ]);
    const monthly = await readPaymentAnalytics(readDb, {
      from: new Date('2026-01-01T00:00:00Z'),
      to: new Date('2026-03-01T00:00:00Z'),
      interval: 'month',
      currency: 'EUR',
    });
    // Every organization (no filter): the other organization's 7.00 too.
    expect(monthly.map((bucket) => [bucket.start, bucket.count, bucket.amount])).toEqual([
      ['2026-01-01T00:00:00.000Z', 1, '10.00'],
      ['2026-02-01T00:00:00.000Z', 4, '12.30'],
    ]);
    expect(
      await readPaymentAnalytics(readDb, {
        ...{ organizationIds: [] },
        from: new Date(0),
        to: new Date(),
        interval: 'month',
      }),
    ).toEqual([]);
    expect(await paymentAnalyticsDifferences(eventStore, readDb)).toEqual([]);
  });

  it('given a checkpoint moved back over applied events, then no row changes', async () => {
    const before = await allRows();
    await sql`UPDATE projection_checkpoints SET position = 0 WHERE projection = ${PAYMENT_ANALYTICS_PROJECTION}`.execute(
      readDb,
    );
    await project(2);
    expect(await allRows()).toEqual(before);
    expect(await paymentAnalyticsDifferences(eventStore, readDb)).toEqual([]);
  });

  it('a rebuild from the event store leaves exactly the rows the live projection made', async () => {
    const live = await allRows();
    await prepareRebuild(runnerDb, eventStore, paymentAnalyticsProjection);
    expect((await swapRebuild(runnerDb, eventStore, paymentAnalyticsProjection, 3)).caughtUp).toBe(true);
    expect(await allRows()).toEqual(live);
    expect(await paymentAnalyticsDifferences(eventStore, readDb)).toEqual([]);
  });
});
