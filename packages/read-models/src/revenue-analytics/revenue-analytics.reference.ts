import { sql, type Kysely } from 'kysely';
import { INVOICE_STREAM_TYPE } from '@gyroscops/contracts';
import { foldInvoice, isInvoiceEvent, type InvoiceEvent } from '@gyroscops/domain';
import type { EventStoreDb } from '@gyroscops/event-store';
import { revenueDayOf } from './revenue-analytics.projection';

interface Figures {
  count: bigint;
  total: bigint;
  paid: bigint;
  refunded: bigint;
}
const same = (a: Figures, b: Figures) =>
  a.count === b.count && a.total === b.total && a.paid === b.paid && a.refunded === b.refunded;
const show = (figures: Figures | undefined) =>
  figures === undefined
    ? 'nothing'
    : `${figures.count} invoices, total ${figures.total}, paid ${figures.paid}, refunded ${figures.refunded}`;

/**
 * `revenue_analytics` as it must be: every invoice stream folded with the domain's foldInvoice, each
 * issued invoice counted once in the day of its issue under its status. Answers how the read model
 * differs (empty when equal).
 */
export async function revenueAnalyticsDifferences(eventStore: EventStoreDb, readDb: Kysely<any>): Promise<string[]> {
  const events = await eventStore
    .selectFrom('events')
    .select(['stream_id', 'type', 'data'])
    .where('stream_type', '=', INVOICE_STREAM_TYPE)
    .orderBy('position')
    .execute();
  const streams = new Map<string, InvoiceEvent[]>();
  for (const row of events) {
    const event = { type: row.type, data: row.data as Record<string, unknown> };
    if (isInvoiceEvent(event)) streams.set(row.stream_id, [...(streams.get(row.stream_id) ?? []), event]);
  }
  const expected = new Map<string, Figures>();
  for (const streamEvents of streams.values()) {
    const state = foldInvoice(streamEvents);
    if (state.kind !== 'issued') continue;
    const key = `${state.organizationId}|${state.currency}|${revenueDayOf(state.issuedAt)}|${state.status}`;
    const figures = expected.get(key) ?? { count: 0n, total: 0n, paid: 0n, refunded: 0n };
    expected.set(key, {
      count: figures.count + 1n,
      total: figures.total + state.totalMinor,
      paid: figures.paid + state.amountPaidMinor,
      refunded: figures.refunded + state.amountRefundedMinor,
    });
  }
  const rows = await sql<{
    organization_id: string;
    currency: string;
    day: Date;
    status: string;
    count: string;
    total_minor: string;
    paid_minor: string;
    refunded_minor: string;
  }>`SELECT organization_id, currency, day, status, count::text, total_minor::text, paid_minor::text, refunded_minor::text FROM revenue_analytics`.execute(
    readDb,
  );
  const actual = new Map(
    rows.rows.map((row) => [
      `${row.organization_id}|${row.currency}|${new Date(row.day).toISOString()}|${row.status}`,
      {
        count: BigInt(row.count),
        total: BigInt(row.total_minor),
        paid: BigInt(row.paid_minor),
        refunded: BigInt(row.refunded_minor),
      },
    ]),
  );
  const differences: string[] = [];
  for (const [key, figures] of expected) {
    const found = actual.get(key);
    if (!found || !same(found, figures))
      differences.push(`revenue_analytics ${key}: expected ${show(figures)}, got ${show(found)}`);
  }
  for (const key of actual.keys())
    if (!expected.has(key)) differences.push(`revenue_analytics ${key}: unexpected ${show(actual.get(key))}`);
  return differences;
}
