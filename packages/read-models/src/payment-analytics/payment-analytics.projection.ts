import { sql, type Transaction } from 'kysely';
import { canonicalUuid, PAYMENT_STREAM_TYPE } from '@gyroscops/contracts';
import { PAYMENT_EVENT_TYPES, type PaymentState } from '@gyroscops/domain';
import type { RecordedEvent } from '@gyroscops/event-store';
import type { Projection, ProjectionChanges } from '@gyroscops/projections';
import { foldPaymentMembers, paymentMemberFromJson } from '../payment-members';
import type { PaymentAnalyticsTables } from './payment-analytics.table';

export const PAYMENT_ANALYTICS_PROJECTION = 'payment_analytics';

/** The UTC hour an ISO instant falls in, as an ISO string. */
export function paymentHourOf(instant: string): string {
  const hour = new Date(instant);
  hour.setUTCMinutes(0, 0, 0);
  return hour.toISOString();
}

/** The row a payment is counted in: live payments only (a deleted payment leaves the figures, as in /statistics). */
interface Cell {
  organizationId: string;
  currency: string;
  hour: string;
  status: string;
}
const cellOf = (state: PaymentState): Cell | undefined =>
  state.kind === 'live'
    ? {
        organizationId: state.organizationId,
        currency: state.currency,
        hour: paymentHourOf(state.createdAt),
        status: state.status,
      }
    : undefined;

/**
 * `payment_analytics`: count, amount and refunded amount per organization, currency, hour of
 * creation and status. Each payment is folded with the domain's evolve (its state kept in
 * `payment_analytics_members`, with the stream version that stops an event from being folded
 * twice); a change of state moves it from one row to another: its figures out of there, into here.
 */
export const paymentAnalyticsProjection: Projection<PaymentAnalyticsTables> = {
  name: PAYMENT_ANALYTICS_PROJECTION,
  version: 1,
  eventTypes: PAYMENT_EVENT_TYPES,
  tables: ['payment_analytics', 'payment_analytics_members'],
  poisonPolicy: 'park',
  async apply(events: RecordedEvent[], trx: Transaction<PaymentAnalyticsTables>): Promise<ProjectionChanges> {
    const byPayment = new Map<string, RecordedEvent[]>();
    for (const event of events) {
      if (event.streamType !== PAYMENT_STREAM_TYPE || typeof event.data.paymentId !== 'string') continue;
      // Keyed by the canonical spelling, as the members' uuid column prints it.
      const paymentId = canonicalUuid(event.data.paymentId);
      byPayment.set(paymentId, [...(byPayment.get(paymentId) ?? []), event]);
    }
    if (byPayment.size === 0) return { paymentIds: [], organizationIds: [] };
    const members = await trx
      .selectFrom('payment_analytics_members')
      .selectAll()
      .where('payment_id', 'in', [...byPayment.keys()])
      .execute();
    const known = new Map(
      members.map((member) => [member.payment_id, paymentMemberFromJson(member.state) as PaymentState]),
    );

    const deltas = new Map<string, Cell & { count: bigint; amount: bigint; refunded: bigint }>();
    const move = (state: PaymentState, sign: 1n | -1n) => {
      const cell = cellOf(state);
      if (!cell || state.kind === 'absent') return;
      const key = `${cell.organizationId}\u0000${cell.currency}\u0000${cell.hour}\u0000${cell.status}`;
      const delta = deltas.get(key) ?? { ...cell, count: 0n, amount: 0n, refunded: 0n };
      delta.count += sign;
      delta.amount += sign * state.amountMinor;
      delta.refunded += sign * state.refundedMinor;
      deltas.set(key, delta);
    };
    const { upserts, removals, organizationIds } = foldPaymentMembers(byPayment, known, move);

    const rows = [...deltas.values()].filter(
      (delta) => delta.count !== 0n || delta.amount !== 0n || delta.refunded !== 0n,
    );
    if (rows.length > 0) {
      await trx
        .insertInto('payment_analytics')
        .values(
          rows.map((row) => ({
            organization_id: row.organizationId,
            currency: row.currency,
            hour: row.hour,
            status: row.status as never,
            count: row.count.toString(),
            amount_minor: row.amount.toString(),
            refunded_minor: row.refunded.toString(),
          })),
        )
        .onConflict((conflict) =>
          conflict.columns(['organization_id', 'currency', 'hour', 'status']).doUpdateSet({
            count: sql`payment_analytics.count + excluded.count`,
            amount_minor: sql`payment_analytics.amount_minor + excluded.amount_minor`,
            refunded_minor: sql`payment_analytics.refunded_minor + excluded.refunded_minor`,
          }),
        )
        .execute();
      // A row every payment left holds nothing: it goes, so the table holds exactly the live payments' figures.
      await sql`
        DELETE FROM payment_analytics
        WHERE count = 0 AND amount_minor = 0 AND refunded_minor = 0
          AND (organization_id, currency, hour, status) IN (
            SELECT * FROM unnest(
              ${rows.map((row) => row.organizationId)}::text[],
              ${rows.map((row) => row.currency)}::text[],
              ${rows.map((row) => row.hour)}::timestamptz[],
              ${rows.map((row) => row.status)}::text[]))`.execute(trx);
    }
    if (upserts.length > 0) {
      await trx
        .insertInto('payment_analytics_members')
        .values(upserts)
        .onConflict((conflict) =>
          conflict.column('payment_id').doUpdateSet({ state: sql`excluded.state`, version: sql`excluded.version` }),
        )
        .execute();
    }
    if (removals.length > 0)
      await trx.deleteFrom('payment_analytics_members').where('payment_id', 'in', removals).execute();
    return { paymentIds: [], organizationIds: [...organizationIds] };
  },
};
