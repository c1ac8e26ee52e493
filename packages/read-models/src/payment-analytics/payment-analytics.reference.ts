import { sql, type Kysely } from 'kysely';
import { PAYMENT_STREAM_TYPE } from '@gyroscops/contracts';
import { foldPayment, isPaymentEvent, type PaymentEvent } from '@gyroscops/domain';
import type { EventStoreDb } from '@gyroscops/event-store';
import { paymentHourOf } from './payment-analytics.projection';

interface Figures {
  count: bigint;
  amount: bigint;
  refunded: bigint;
}
const show = (figures: Figures | undefined) =>
  figures === undefined ? 'nothing' : `${figures.count} payments, ${figures.amount}, refunded ${figures.refunded}`;

/**
 * `payment_analytics` as it must be: every payment stream folded with the domain's foldPayment, each
 * live payment counted once in the hour of its creation under its status. Answers how the read
 * model differs (empty when equal).
 */
export async function paymentAnalyticsDifferences(eventStore: EventStoreDb, readDb: Kysely<any>): Promise<string[]> {
  const events = await eventStore
    .selectFrom('events')
    .select(['stream_id', 'type', 'data'])
    .where('stream_type', '=', PAYMENT_STREAM_TYPE)
    .orderBy('position')
    .execute();
  const streams = new Map<string, PaymentEvent[]>();
  for (const row of events) {
    const event = { type: row.type, data: row.data as Record<string, unknown> };
    if (isPaymentEvent(event)) streams.set(row.stream_id, [...(streams.get(row.stream_id) ?? []), event]);
  }
  const expected = new Map<string, Figures>();
  for (const streamEvents of streams.values()) {
    const state = foldPayment(streamEvents);
    if (state.kind !== 'live') continue;
    const key = `${state.organizationId}|${state.currency}|${paymentHourOf(state.createdAt)}|${state.status}`;
    const figures = expected.get(key) ?? { count: 0n, amount: 0n, refunded: 0n };
    expected.set(key, {
      count: figures.count + 1n,
      amount: figures.amount + state.amountMinor,
      refunded: figures.refunded + state.refundedMinor,
    });
  }
  const rows = await sql<{
    organization_id: string;
    currency: string;
    hour: Date;
    status: string;
    count: string;
    amount_minor: string;
    refunded_minor: string;
  }>`SELECT organization_id, currency, hour, status, count::text, amount_minor::text, refunded_minor::text FROM payment_analytics`.execute(
    readDb,
  );
  const actual = new Map(
    rows.rows.map((row) => [
      `${row.organization_id}|${row.currency}|${new Date(row.hour).toISOString()}|${row.status}`,
      { count: BigInt(row.count), amount: BigInt(row.amount_minor), refunded: BigInt(row.refunded_minor) },
    ]),
  );
  const differences: string[] = [];
  for (const [key, figures] of expected) {
    const found = actual.get(key);
    if (
      !found ||
      found.count !== figures.count ||
      found.amount !== figures.amount ||
      found.refunded !== figures.refunded
    )
      differences.push(`payment_analytics ${key}: expected ${show(figures)}, got ${show(found)}`);
  }
  for (const key of actual.keys())
    if (!expected.has(key)) differences.push(`payment_analytics ${key}: unexpected ${show(actual.get(key))}`);
  return differences;
}
