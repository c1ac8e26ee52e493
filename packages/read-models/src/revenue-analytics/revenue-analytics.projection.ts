import { sql, type Transaction } from 'kysely';
import { INVOICE_STREAM_TYPE } from '@gyroscops/contracts';
import {
  evolveInvoice,
  initialInvoiceState,
  INVOICE_EVENT_TYPES,
  isInvoiceEvent,
  type InvoiceState,
  type IssuedInvoiceState,
} from '@gyroscops/domain';
import type { RecordedEvent } from '@gyroscops/event-store';
import type { Projection, ProjectionChanges } from '@gyroscops/projections';
import type { RevenueAnalyticsTables } from './revenue-analytics.table';

export const REVENUE_ANALYTICS_PROJECTION = 'revenue_analytics';

/** Midnight UTC of the day an ISO instant falls in, as an ISO string. */
export function revenueDayOf(instant: string): string {
  return `${new Date(instant).toISOString().slice(0, 10)}T00:00:00.000Z`;
}

/** Stored form of a state: JSON has no bigint. */
function toJson(state: IssuedInvoiceState): string {
  return JSON.stringify({
    ...state,
    totalMinor: state.totalMinor.toString(),
    amountPaidMinor: state.amountPaidMinor.toString(),
    amountRefundedMinor: state.amountRefundedMinor.toString(),
  });
}
function fromJson(json: Record<string, unknown>): IssuedInvoiceState {
  return {
    ...(json as unknown as IssuedInvoiceState),
    totalMinor: BigInt(json.totalMinor as string),
    amountPaidMinor: BigInt(json.amountPaidMinor as string),
    amountRefundedMinor: BigInt(json.amountRefundedMinor as string),
  };
}

interface Cell {
  organizationId: string;
  currency: string;
  day: string;
  status: string;
}

/**
 * `revenue_analytics`: count, totals, amounts paid and refunded per organization, currency, day of
 * issue and status. Each invoice is folded with the domain's evolveInvoice (its state kept in
 * `revenue_analytics_members`, with the stream version that stops an event from being folded twice);
 * a change of state moves its figures from one row to another.
 */
export const revenueAnalyticsProjection: Projection<RevenueAnalyticsTables> = {
  name: REVENUE_ANALYTICS_PROJECTION,
  version: 1,
  eventTypes: INVOICE_EVENT_TYPES,
  tables: ['revenue_analytics', 'revenue_analytics_members'],
  poisonPolicy: 'park',
  async apply(events: RecordedEvent[], trx: Transaction<RevenueAnalyticsTables>): Promise<ProjectionChanges> {
    const byInvoice = new Map<string, RecordedEvent[]>();
    for (const event of events) {
      if (event.streamType !== INVOICE_STREAM_TYPE) continue;
      byInvoice.set(event.streamId, [...(byInvoice.get(event.streamId) ?? []), event]);
    }
    if (byInvoice.size === 0) return { paymentIds: [], organizationIds: [] };
    const members = await trx
      .selectFrom('revenue_analytics_members')
      .selectAll()
      .where('invoice_id', 'in', [...byInvoice.keys()])
      .execute();
    const known = new Map(members.map((member) => [member.invoice_id, fromJson(member.state) as InvoiceState]));

    const deltas = new Map<string, Cell & { count: bigint; total: bigint; paid: bigint; refunded: bigint }>();
    const move = (state: InvoiceState, sign: 1n | -1n) => {
      if (state.kind !== 'issued') return;
      const cell = {
        organizationId: state.organizationId,
        currency: state.currency,
        day: revenueDayOf(state.issuedAt),
        status: state.status,
      };
      const key = `${cell.organizationId}\u0000${cell.currency}\u0000${cell.day}\u0000${cell.status}`;
      const delta = deltas.get(key) ?? { ...cell, count: 0n, total: 0n, paid: 0n, refunded: 0n };
      delta.count += sign;
      delta.total += sign * state.totalMinor;
      delta.paid += sign * state.amountPaidMinor;
      delta.refunded += sign * state.amountRefundedMinor;
      deltas.set(key, delta);
    };
    const upserts: { invoice_id: string; state: string; version: number }[] = [];
    const organizationIds = new Set<string>();

    for (const [streamId, streamEvents] of byInvoice) {
      const before = known.get(streamId) ?? initialInvoiceState;
      let after = before;
      for (const event of streamEvents) {
        const domainEvent = { type: event.type, data: event.data };
        if (event.streamVersion <= after.version || !isInvoiceEvent(domainEvent)) continue;
        after = evolveInvoice(after, domainEvent);
      }
      if (after === before || after.kind !== 'issued') continue;
      move(before, -1n);
      move(after, 1n);
      upserts.push({ invoice_id: streamId, state: toJson(after), version: after.version });
      organizationIds.add(after.organizationId);
    }

    const rows = [...deltas.values()].filter(
      (delta) => delta.count !== 0n || delta.total !== 0n || delta.paid !== 0n || delta.refunded !== 0n,
    );
    if (rows.length > 0) {
      await trx
        .insertInto('revenue_analytics')
        .values(
          rows.map((row) => ({
            organization_id: row.organizationId,
            currency: row.currency,
            day: row.day,
            status: row.status as never,
            count: row.count.toString(),
            total_minor: row.total.toString(),
            paid_minor: row.paid.toString(),
            refunded_minor: row.refunded.toString(),
          })),
        )
        .onConflict((conflict) =>
          conflict.columns(['organization_id', 'currency', 'day', 'status']).doUpdateSet({
            count: sql`revenue_analytics.count + excluded.count`,
            total_minor: sql`revenue_analytics.total_minor + excluded.total_minor`,
            paid_minor: sql`revenue_analytics.paid_minor + excluded.paid_minor`,
            refunded_minor: sql`revenue_analytics.refunded_minor + excluded.refunded_minor`,
          }),
        )
        .execute();
      // A row every invoice left holds nothing: it goes, so the table holds exactly the invoices' figures.
      await sql`
        DELETE FROM revenue_analytics
        WHERE count = 0 AND total_minor = 0 AND paid_minor = 0 AND refunded_minor = 0
          AND (organization_id, currency, day, status) IN (
            SELECT * FROM unnest(
              ${rows.map((row) => row.organizationId)}::text[],
              ${rows.map((row) => row.currency)}::text[],
              ${rows.map((row) => row.day)}::timestamptz[],
              ${rows.map((row) => row.status)}::text[]))`.execute(trx);
    }
    if (upserts.length > 0) {
      await trx
        .insertInto('revenue_analytics_members')
        .values(upserts)
        .onConflict((conflict) =>
          conflict.column('invoice_id').doUpdateSet({ state: sql`excluded.state`, version: sql`excluded.version` }),
        )
        .execute();
    }
    return { paymentIds: [], organizationIds: [...organizationIds] };
  },
};
