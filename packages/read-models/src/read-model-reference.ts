import { sql, type Kysely } from 'kysely';
import { foldPayment, isPaymentEvent, toPaymentView, type PaymentEvent, type PaymentView } from '@gyroscops/domain';
import type { EventStoreDb } from '@gyroscops/event-store';
import { invoicesDifferences } from './invoices/invoices.reference';
import { organizationsDifferences } from './organizations/organizations.reference';
import { usageSeriesDifferences } from './usage-series/usage-series.reference';
import { paymentAnalyticsDifferences } from './payment-analytics/payment-analytics.reference';
import { revenueAnalyticsDifferences } from './revenue-analytics/revenue-analytics.reference';

/**
 * The read models as they must be, computed straight from the event store with the domain's own
 * fold: what "built from scratch" means in the tests. A read model that skipped an event or applied
 * one twice differs from it.
 */
export async function referenceReadModels(eventStore: EventStoreDb) {
  const rows = await eventStore
    .selectFrom('events')
    .select(['stream_id', 'type', 'data', 'metadata', 'recorded_at'])
    .where('stream_type', '=', 'payment')
    .orderBy('position')
    .execute();
  const streams = new Map<string, PaymentEvent[]>();
  const eventCounts = new Map<string, number>();
  for (const row of rows) {
    const event = { type: row.type, data: row.data as Record<string, unknown> };
    if (isPaymentEvent(event)) streams.set(row.stream_id, [...(streams.get(row.stream_id) ?? []), event]);
    const hour = new Date(row.recorded_at);
    hour.setUTCMinutes(0, 0, 0);
    const organizationId = (row.metadata as Record<string, unknown>).organizationId;
    const key = `${typeof organizationId === 'string' ? organizationId : ''}|${row.type}|${hour.toISOString()}`;
    eventCounts.set(key, (eventCounts.get(key) ?? 0) + 1);
  }
  const payments = new Map<string, PaymentView>();
  const statistics = new Map<string, { count: number; amountMinor: bigint }>();
  for (const events of streams.values()) {
    const state = foldPayment(events);
    if (state.kind !== 'live') continue;
    const view = toPaymentView(state);
    if (view) payments.set(state.paymentId, view);
    const key = `${state.organizationId}|${state.currency}|${state.createdAt.slice(0, 10)}|${state.status}`;
    const bucket = statistics.get(key) ?? { count: 0, amountMinor: 0n };
    bucket.count += 1;
    bucket.amountMinor += state.amountMinor;
    statistics.set(key, bucket);
  }
  return { payments, statistics, eventCounts, eventTotal: rows.length };
}

/** The read models as the projections left them, in the reference's shape. */
export async function actualReadModels(readDb: Kysely<any>) {
  const statisticsRows = await sql<{
    organization_id: string;
    currency: string;
    day: string;
    status: string;
    count: string;
    amount_minor: string;
  }>`
    SELECT organization_id, currency, to_char(day, 'YYYY-MM-DD') AS day, status, count, amount_minor FROM payment_statistics WHERE count <> 0`.execute(
    readDb,
  );
  const statistics = new Map(
    statisticsRows.rows.map((row) => [
      `${row.organization_id}|${row.currency}|${row.day}|${row.status}`,
      { count: Number(row.count), amountMinor: BigInt(row.amount_minor) },
    ]),
  );
  const countRows = await sql<{
    organization_id: string;
    type: string;
    hour: Date;
    count: string;
  }>`SELECT organization_id, type, hour, count FROM event_counts`.execute(readDb);
  const eventCounts = new Map(
    countRows.rows.map((row) => [
      `${row.organization_id}|${row.type}|${new Date(row.hour).toISOString()}`,
      Number(row.count),
    ]),
  );
  const paymentRows = await sql<{
    payment_id: string;
    status: string;
    amount_minor: string;
    refunded_minor: string;
    version: number;
    description: string | null;
  }>`
    SELECT payment_id, status, amount_minor, refunded_minor, version, description FROM payments`.execute(readDb);
  return { statistics, eventCounts, payments: new Map(paymentRows.rows.map((row) => [row.payment_id, row])) };
}

/** Compares every read model with the reference; an empty list means they are equal. */
export async function readModelDifferences(eventStore: EventStoreDb, readDb: Kysely<any>): Promise<string[]> {
  const expected = await referenceReadModels(eventStore);
  const actual = await actualReadModels(readDb);
  const differences: string[] = [];
  for (const [key, bucket] of expected.statistics) {
    const found = actual.statistics.get(key);
    if (!found || found.count !== bucket.count || found.amountMinor !== bucket.amountMinor)
      differences.push(
        `payment_statistics ${key}: expected ${bucket.count}/${bucket.amountMinor}, got ${found?.count}/${found?.amountMinor}`,
      );
  }
  for (const key of actual.statistics.keys())
    if (!expected.statistics.has(key)) differences.push(`payment_statistics ${key}: unexpected`);
  for (const [key, count] of expected.eventCounts)
    if (actual.eventCounts.get(key) !== count)
      differences.push(`event_counts ${key}: expected ${count}, got ${actual.eventCounts.get(key)}`);
  for (const key of actual.eventCounts.keys())
    if (!expected.eventCounts.has(key)) differences.push(`event_counts ${key}: unexpected`);
  for (const [paymentId, view] of expected.payments) {
    const row = actual.payments.get(paymentId);
    if (!row || row.status !== view.status || row.version !== view.version || row.description !== view.description)
      differences.push(
        `payments ${paymentId}: expected ${view.status} v${view.version}, got ${row?.status} v${row?.version}`,
      );
  }
  for (const paymentId of actual.payments.keys())
    if (!expected.payments.has(paymentId)) differences.push(`payments ${paymentId}: unexpected`);
  differences.push(...(await invoicesDifferences(eventStore, readDb)));
  differences.push(...(await organizationsDifferences(eventStore, readDb)));
  differences.push(...(await usageSeriesDifferences(eventStore, readDb)));
  differences.push(...(await paymentAnalyticsDifferences(eventStore, readDb)));
  differences.push(...(await revenueAnalyticsDifferences(eventStore, readDb)));
  return differences;
}
