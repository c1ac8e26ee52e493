import type { Transaction } from 'kysely';
import { sql } from 'kysely';
import { canonicalUuid } from '@gyroscops/contracts';
import { PAYMENT_EVENT_TYPES, type PaymentState } from '@gyroscops/domain';
import type { RecordedEvent } from '@gyroscops/event-store';
import type { Projection, ProjectionChanges } from '@gyroscops/projections';
import { foldPaymentMembers, paymentMemberFromJson } from '../payment-members';
import type { PaymentStatisticsTables } from './payment-statistics.table';

export const PAYMENT_STATISTICS_PROJECTION = 'payment_statistics';

interface Bucket {
  organizationId: string;
  currency: string;
  day: string;
  status: string;
}
const bucketOf = (state: PaymentState): Bucket | undefined =>
  state.kind === 'live'
    ? {
        organizationId: state.organizationId,
        currency: state.currency,
        day: state.createdAt.slice(0, 10),
        status: state.status,
      }
    : undefined;

/**
 * `payment_statistics`: count and amount per organization, currency, creation day and status. Each
 * payment is folded with the domain's evolve (its state kept in `payment_statistics_members`), and a
 * change of state moves it from one bucket to another: -1 there, +1 here.
 */
export const paymentStatisticsProjection: Projection<PaymentStatisticsTables> = {
  name: PAYMENT_STATISTICS_PROJECTION,
  version: 1,
  eventTypes: PAYMENT_EVENT_TYPES,
  tables: ['payment_statistics', 'payment_statistics_members'],
  poisonPolicy: 'park',
  async apply(events: RecordedEvent[], trx: Transaction<PaymentStatisticsTables>): Promise<ProjectionChanges> {
    // Keyed by the canonical spelling, as the members' uuid column prints it (see the payments projection).
    const byPayment = new Map<string, RecordedEvent[]>();
    for (const event of events) {
      const paymentId = canonicalUuid(String(event.data.paymentId));
      byPayment.set(paymentId, [...(byPayment.get(paymentId) ?? []), event]);
    }
    const ids = [...byPayment.keys()];
    const members = await trx
      .selectFrom('payment_statistics_members')
      .selectAll()
      .where('payment_id', 'in', ids)
      .execute();
    const known = new Map(
      members.map((member) => [member.payment_id, paymentMemberFromJson(member.state) as PaymentState]),
    );

    const deltas = new Map<string, Bucket & { count: bigint; amount: bigint }>();
    const move = (state: PaymentState, sign: 1n | -1n) => {
      const bucket = bucketOf(state);
      if (!bucket || state.kind === 'absent') return;
      const key = `${bucket.organizationId}\u0000${bucket.currency}\u0000${bucket.day}\u0000${bucket.status}`;
      const delta = deltas.get(key) ?? { ...bucket, count: 0n, amount: 0n };
      delta.count += sign;
      delta.amount += sign * state.amountMinor;
      deltas.set(key, delta);
    };
    const { upserts, removals, organizationIds } = foldPaymentMembers(byPayment, known, move);

    const rows = [...deltas.values()].filter((delta) => delta.count !== 0n || delta.amount !== 0n);
    if (rows.length > 0) {
      await trx
        .insertInto('payment_statistics')
        .values(
          rows.map((row) => ({
            organization_id: row.organizationId,
            currency: row.currency,
            day: row.day,
            status: row.status as never,
            count: row.count.toString(),
            amount_minor: row.amount.toString(),
          })),
        )
        .onConflict((conflict) =>
          conflict.columns(['organization_id', 'currency', 'day', 'status']).doUpdateSet({
            count: sql`payment_statistics.count + excluded.count`,
            amount_minor: sql`payment_statistics.amount_minor + excluded.amount_minor`,
          }),
        )
        .execute();
    }
    if (upserts.length > 0) {
      await trx
        .insertInto('payment_statistics_members')
        .values(upserts)
        .onConflict((conflict) =>
          conflict.column('payment_id').doUpdateSet({ state: sql`excluded.state`, version: sql`excluded.version` }),
        )
        .execute();
    }
    if (removals.length > 0)
      await trx.deleteFrom('payment_statistics_members').where('payment_id', 'in', removals).execute();
    return { paymentIds: [], organizationIds: [...organizationIds] };
  },
};
