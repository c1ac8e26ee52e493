import type { Transaction } from 'kysely';
import { evolve, initialPaymentState, isPaymentEvent, PAYMENT_EVENT_TYPES, type PaymentState } from '@gyroscops/domain';
import type { RecordedEvent } from '@gyroscops/event-store';
import type { Projection, ProjectionChanges } from '@gyroscops/projections';
import { rowToState, stateToRow } from './payment-row-mapping';
import type { NewPaymentRow, PaymentReadTables } from './payments.table';

export const PAYMENTS_PROJECTION = 'payments';

/**
 * The `payments` read model: one row per live payment, folded with the domain's own `evolve`, so the
 * view always equals a replay of the stream. Deleted payments are removed. Events at or below a
 * row's version are skipped, a second guard (after the checkpoint) against applying anything twice.
 */
export const paymentsProjection: Projection<PaymentReadTables> = {
  name: PAYMENTS_PROJECTION,
  version: 1,
  eventTypes: PAYMENT_EVENT_TYPES,
  tables: ['payments'],
  // A payment view missing one event would be silently wrong: stop and let an operator look.
  poisonPolicy: 'halt',
  async apply(events: RecordedEvent[], trx: Transaction<PaymentReadTables>): Promise<ProjectionChanges> {
    const byPayment = new Map<string, RecordedEvent[]>();
    for (const event of events) {
      const paymentId = String(event.data.paymentId);
      byPayment.set(paymentId, [...(byPayment.get(paymentId) ?? []), event]);
    }
    const ids = [...byPayment.keys()];
    const rows = await trx.selectFrom('payments').selectAll().where('payment_id', 'in', ids).execute();
    const states = new Map<string, PaymentState>(rows.map((row) => [row.payment_id, rowToState(row)]));
    const organizationIds = new Set<string>(rows.map((row) => row.organization_id));

    const upserts: NewPaymentRow[] = [];
    const deletions: string[] = [];
    for (const [paymentId, streamEvents] of byPayment) {
      let state = states.get(paymentId) ?? initialPaymentState;
      let lastPosition = 0n;
      for (const event of streamEvents) {
        const domainEvent = { type: event.type, data: event.data };
        if (event.streamVersion <= state.version || !isPaymentEvent(domainEvent)) continue;
        state = evolve(state, domainEvent);
        lastPosition = event.position;
      }
      if (state.kind === 'absent' || lastPosition === 0n) continue;
      organizationIds.add(state.organizationId);
      if (state.kind === 'deleted') deletions.push(paymentId);
      else upserts.push(stateToRow(state, lastPosition));
    }

    if (upserts.length > 0) {
      await trx
        .insertInto('payments')
        .values(upserts)
        .onConflict((conflict) =>
          conflict.column('payment_id').doUpdateSet((eb) => ({
            status: eb.ref('excluded.status'),
            amount_minor: eb.ref('excluded.amount_minor'),
            description: eb.ref('excluded.description'),
            refunded_minor: eb.ref('excluded.refunded_minor'),
            metadata: eb.ref('excluded.metadata'),
            failure_reason: eb.ref('excluded.failure_reason'),
            gateway_reference: eb.ref('excluded.gateway_reference'),
            updated_at: eb.ref('excluded.updated_at'),
            version: eb.ref('excluded.version'),
            last_position: eb.ref('excluded.last_position'),
          })),
        )
        .execute();
    }
    if (deletions.length > 0) await trx.deleteFrom('payments').where('payment_id', 'in', deletions).execute();
    return { paymentIds: ids, organizationIds: [...organizationIds] };
  },
};
