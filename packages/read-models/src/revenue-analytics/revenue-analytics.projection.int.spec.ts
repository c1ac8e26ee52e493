/**
 * The `revenue_analytics` read model against real databases: invoice streams decided by the domain's
 * decideInvoice and appended to the event store, applied through the real runner. How we know no
 * event is lost or applied twice: `revenueAnalyticsDifferences` recomputes the table from the event
 * store with the domain's foldInvoice and must find nothing after every step; a checkpoint moved
 * back over applied events changes no row (each invoice's stream version guards it); a rebuild leaves
 * exactly the rows the live projection made.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { INVOICE_STREAM_TYPE, invoiceStreamId } from '@gyroscops/contracts';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import { decideInvoice, foldInvoice, isDomainError, type InvoiceCommand, type InvoiceEvent } from '@gyroscops/domain';
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
import { REVENUE_ANALYTICS_PROJECTION, revenueAnalyticsProjection } from './revenue-analytics.projection';
import { readRevenueAnalytics } from './revenue-analytics.queries';
import { revenueAnalyticsDifferences } from './revenue-analytics.reference';
import type { RevenueAnalyticsTables } from './revenue-analytics.table';

let env: TestEnvironment;
let eventStore: EventStoreDb;
let readDb: Kysely<RevenueAnalyticsTables>;
let runnerDb: Kysely<ProjectionTables>;

beforeAll(async () => {
  env = await createTestEnvironment();
  eventStore = createDatabase<EventStoreTables>({ url: env.eventStoreDatabaseUrl });
  readDb = createDatabase<RevenueAnalyticsTables>({ url: env.readDatabaseUrl });
  runnerDb = withTablesOf<ProjectionTables>(readDb);
  await runMigrations(eventStore, eventStoreMigrations);
  await runMigrations(readDb, projectionMigrations);
  await runMigrations(readDb, readModelMigrations);
  await ensureCheckpoint(runnerDb, REVENUE_ANALYTICS_PROJECTION, revenueAnalyticsProjection.version);
});

afterAll(async () => {
  await Promise.all([eventStore?.destroy(), readDb?.destroy()]);
  await env?.dispose();
});

const organizationId = randomUUID();
let lastPosition = 0n;
let sequence = 0;

type Step = (invoiceId: string, state: ReturnType<typeof foldInvoice>) => InvoiceCommand;

/** An invoice issued at `issuedAt` for `total` (one base-fee line), then taken through `steps`, each decided on the stream's fold. */
async function invoice(issuedAt: string, total: string, currency: string, steps: Step[] = []): Promise<string> {
  const invoiceId = randomUUID();
  sequence += 1;
  const events: InvoiceEvent[] = [];
  const issue: Step = (id) => ({
    type: 'IssueInvoice',
    data: {
      invoiceId: id,
      organizationId,
      number: `2026-${String(sequence).padStart(6, '0')}`,
      cycleSequence: sequence,
      currency,
      periodStart: '2025-12-01T00:00:00Z',
      periodEnd: '2026-01-01T00:00:00Z',
      lines: [{ kind: 'base_fee', meter: null, quantity: '1', unitPrice: total, amount: total, late: false }],
      total,
      dunning: ['P1D'],
    },
  });
  let now = Date.parse(issuedAt);
  for (const step of [issue, ...steps]) {
    const state = foldInvoice(events);
    const decision = decideInvoice(state, step(invoiceId, state), new Date(now).toISOString());
    now += 60_000;
    if (isDomainError(decision)) throw decision;
    const result = await appendToStream(eventStore, {
      streamId: invoiceStreamId(invoiceId),
      streamType: INVOICE_STREAM_TYPE,
      expectedVersion: state.version === 0 ? 'no_stream' : state.version,
      events: decision.map((event) => ({
        eventId: randomUUID(),
        type: event.type,
        data: event.data,
        metadata: { organizationId },
      })),
    });
    events.push(...decision);
    lastPosition = result.lastPosition;
  }
  return invoiceId;
}
const paymentOf = (state: ReturnType<typeof foldInvoice>) =>
  state.kind === 'issued' ? (state.paymentIds.at(-1) ?? '') : '';
const start: Step = (invoiceId) => ({ type: 'StartInvoicePayment', data: { invoiceId, paymentId: randomUUID() } });
const approve: Step = (invoiceId, state) => ({
  type: 'RecordInvoicePaymentResult',
  data: { invoiceId, paymentId: paymentOf(state), outcome: 'approved' },
});
const decline: Step = (invoiceId, state) => ({
  type: 'RecordInvoicePaymentResult',
  data: { invoiceId, paymentId: paymentOf(state), outcome: 'declined', reason: 'card_declined' },
});
const refund =
  (amount: string): Step =>
  (invoiceId, state) => ({
    type: 'RecordInvoiceRefund',
    data: { invoiceId, paymentId: paymentOf(state), refundId: randomUUID(), amount },
  });
const voidIt: Step = (invoiceId) => ({ type: 'VoidInvoice', data: { invoiceId, reason: 'issued by mistake' } });

async function project(batchSize = 50): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await applyNextBatch(runnerDb, eventStore, revenueAnalyticsProjection, batchSize)).position < lastPosition) {
    if (Date.now() > deadline) throw new Error(`the projection never reached ${lastPosition}`);
  }
}
const allRows = () =>
  sql`SELECT organization_id, currency, day, status, count::text, total_minor::text, paid_minor::text, refunded_minor::text FROM revenue_analytics ORDER BY 1, 2, 3, 4`
    .execute(readDb)
    .then((result) => result.rows);

describe('revenueAnalyticsProjection', () => {
  beforeAll(async () => {
    await invoice('2026-01-31T23:59:00.000Z', '100.10', 'EUR', [start, approve, refund('0.10')]);
    await invoice('2026-02-01T00:00:00.000Z', '0.20', 'EUR', [start]);
    await invoice('2026-02-01T08:00:00.000Z', '0.10', 'EUR', [start, decline]);
    // One dunning wait: the second decline is the last, and the invoice becomes uncollectible.
    await invoice('2026-02-02T08:00:00.000Z', '33.33', 'EUR', [start, decline, start, decline]);
    await invoice('2026-02-03T08:00:00.000Z', '12.00', 'EUR', [voidIt]);
    await invoice('2026-02-03T09:00:00.000Z', '5000', 'JPY', [start, approve]);
    await project();
  });

  it('splits what was invoiced per UTC day and month into paid, outstanding, uncollectible and voided, exactly', async () => {
    const range = {
      organizationIds: [organizationId],
      from: new Date('2026-01-01T00:00:00Z'),
      to: new Date('2026-03-01T00:00:00Z'),
    };
    expect(await readRevenueAnalytics(readDb, { ...range, interval: 'month' })).toEqual({
      EUR: {
        buckets: [
          {
            start: '2026-01-01T00:00:00.000Z',
            count: 1,
            invoiced: '100.10',
            paid: '100.10',
            outstanding: '0.00',
            uncollectible: '0.00',
            voided: '0.00',
            refunded: '0.10',
          },
          {
            start: '2026-02-01T00:00:00.000Z',
            count: 4,
            // 0.20 + 0.10 + 33.33 + 12.00
            invoiced: '45.63',
            paid: '0.00',
            outstanding: '0.30',
            uncollectible: '33.33',
            voided: '12.00',
            refunded: '0.00',
          },
        ],
      },
      JPY: {
        buckets: [
          {
            start: '2026-02-01T00:00:00.000Z',
            count: 1,
            invoiced: '5000',
            paid: '5000',
            outstanding: '0',
            uncollectible: '0',
            voided: '0',
            refunded: '0',
          },
        ],
      },
    });
    const daily = await readRevenueAnalytics(readDb, { ...range, interval: 'day', currency: 'EUR' });
    expect(daily.EUR?.buckets.map((bucket) => [bucket.start, bucket.invoiced, bucket.outstanding])).toEqual([
      ['2026-01-31T00:00:00.000Z', '100.10', '0.00'],
      ['2026-02-01T00:00:00.000Z', '0.30', '0.30'],
      ['2026-02-02T00:00:00.000Z', '33.33', '0.00'],
      ['2026-02-03T00:00:00.000Z', '12.00', '0.00'],
    ]);
    expect(Object.keys(daily)).toEqual(['EUR']);
    expect(await revenueAnalyticsDifferences(eventStore, readDb)).toEqual([]);
  });

  it('given a checkpoint moved back over applied events, then no row changes', async () => {
    const before = await allRows();
    await sql`UPDATE projection_checkpoints SET position = 0 WHERE projection = ${REVENUE_ANALYTICS_PROJECTION}`.execute(
      readDb,
    );
    await project(3);
    expect(await allRows()).toEqual(before);
  });

  it('a rebuild from the event store leaves exactly the rows the live projection made', async () => {
    const live = await allRows();
    await prepareRebuild(runnerDb, eventStore, revenueAnalyticsProjection);
    expect((await swapRebuild(runnerDb, eventStore, revenueAnalyticsProjection, 4)).caughtUp).toBe(true);
    expect(await allRows()).toEqual(live);
    expect(await revenueAnalyticsDifferences(eventStore, readDb)).toEqual([]);
  });
});
