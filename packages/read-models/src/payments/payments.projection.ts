import { sql, type Transaction } from 'kysely';
import { canonicalUuid, paymentStreamId } from '@gyroscops/contracts';
import { evolve, initialPaymentState, isPaymentEvent, PAYMENT_EVENT_TYPES, type PaymentState } from '@gyroscops/domain';
import type { RecordedEvent } from '@gyroscops/event-store';
import type { Projection, ProjectionChanges } from '@gyroscops/projections';
import { rowToState, stateToRow } from './payment-row-mapping';
import type { NewPaymentRow, PaymentReadTables, PaymentRow } from './payments.table';

export const PAYMENTS_PROJECTION = 'payments';

/**
 * The `payments` read model: one row per live payment, folded with the domain's own `evolve`, so the
 * view always equals a replay of the stream. Deleted payments are removed. Events at or below a
 * row's version are skipped, a second guard (after the checkpoint) against applying anything twice.
 */
export const paymentsProjection: Projection<PaymentReadTables> = {
  name: PAYMENTS_PROJECTION,
  // 2: rows carry the invoice a payment pays (invoice_id).
  version: 2,
  eventTypes: PAYMENT_EVENT_TYPES,
  tables: ['payments'],
  // A payment view missing one event would be silently wrong: stop and let an operator look.
  poisonPolicy: 'halt',
  async apply(events: RecordedEvent[], trx: Transaction<PaymentReadTables>): Promise<ProjectionChanges> {
    // Grouped by stream (a payment is its stream), each folded as the payment named by its first
    // event's id in canonical spelling, as the rows' uuid column prints it: an event written with
    // `paymentId` in upper case still folds into its payment. An event outside its payment's stream,
    // or two streams naming one payment (split before ids were canonical), would fold two histories
    // into one row: the batch is refused, loudly (the projection halts on it).
    const byStream = new Map<string, { paymentId: string; events: RecordedEvent[] }>();
    const streamOfPayment = new Map<string, string>();
    for (const event of events) {
      const paymentId = paymentIdOf(event);
      const stream = byStream.get(event.streamId);
      if (stream) {
        stream.events.push(event);
        continue;
      }
      const other = streamOfPayment.get(paymentId);
      if (other !== undefined) {
        throw new Error(
          `payment ${paymentId} has two streams, ${other} and ${event.streamId}: repair the stream ids (docs/operations-repair-stream-ids.md)`,
        );
      }
      streamOfPayment.set(paymentId, event.streamId);
      byStream.set(event.streamId, { paymentId, events: [event] });
    }
    const streams = [...byStream.values()];
    const ids = [...new Set(streams.map((stream) => stream.paymentId))];
    // A stream whose first event here is its first event ever has no row yet: only the others are read.
    const continued = streams.filter((stream) => stream.events[0]!.streamVersion > 1).map((stream) => stream.paymentId);
    const rows = continued.length > 0 ? await selectPaymentRows(trx, continued) : [];
    const states = new Map<string, PaymentState>(rows.map((row) => [row.payment_id, rowToState(row)]));
    const organizationIds = new Set<string>(rows.map((row) => row.organization_id));

    const upserts: NewPaymentRow[] = [];
    const deletions: string[] = [];
    for (const { paymentId, events: streamEvents } of streams) {
      let state = states.get(paymentId) ?? initialPaymentState;
      let lastPosition = 0n;
      for (const event of streamEvents) {
        const domainEvent = { type: event.type, data: { ...event.data, paymentId } };
        if (event.streamVersion <= state.version || !isPaymentEvent(domainEvent)) continue;
        state = evolve(state, domainEvent);
        lastPosition = event.position;
      }
      if (state.kind === 'absent' || lastPosition === 0n) continue;
      organizationIds.add(state.organizationId);
      if (state.kind === 'deleted') deletions.push(paymentId);
      else upserts.push(stateToRow(state, lastPosition));
    }

    if (upserts.length > 0) await upsertPaymentRows(trx, upserts);
    if (deletions.length > 0) await sql`DELETE FROM payments WHERE payment_id = ANY(${deletions}::uuid[])`.execute(trx);
    return { paymentIds: ids, organizationIds: [...organizationIds] };
  },
};

/**
 * The canonical id of the payment an event belongs to, after checking that the event sits in that
 * payment's stream (`payment-<paymentId>`, the id in any spelling): anything else is a wiring bug of
 * a writer or a store that needs the stream id repair, and folding it would corrupt a row.
 */
function paymentIdOf(event: RecordedEvent): string {
  const named = event.data.paymentId;
  const paymentId = typeof named === 'string' ? canonicalUuid(named) : '';
  const prefix = paymentStreamId('');
  const streamPaymentId = event.streamId.startsWith(prefix) ? canonicalUuid(event.streamId.slice(prefix.length)) : null;
  if (paymentId === '' || streamPaymentId !== paymentId) {
    throw new Error(
      `event ${event.eventId} (${event.type}) names payment ${String(named)} but sits in stream ${event.streamId}`,
    );
  }
  return paymentId;
}

async function selectPaymentRows(trx: Transaction<PaymentReadTables>, ids: string[]): Promise<PaymentRow[]> {
  const { rows } = await sql<PaymentRow>`SELECT * FROM payments WHERE payment_id = ANY(${ids}::uuid[])`.execute(trx);
  return rows;
}

/**
 * One INSERT … ON CONFLICT for the whole batch, its rows sent as one array per column (16 parameters
 * whatever the batch size, where a VALUES list needs 16 per row: a rebuild batch of 5,000 events
 * made ~37,000). The WHERE keeps a row that is already at or past the folded version: with rows
 * folded from a stream's first event without reading the table, it is the guard against applying
 * anything twice.
 */
async function upsertPaymentRows(trx: Transaction<PaymentReadTables>, rows: NewPaymentRow[]): Promise<void> {
  const column = <T>(pick: (row: NewPaymentRow) => T) => rows.map(pick);
  await sql`
    INSERT INTO payments (payment_id, organization_id, user_id, amount_minor, currency, status, description, refunded_minor,
                          metadata, invoice_id, failure_reason, gateway_reference, created_at, updated_at, version,
                          last_position)
    SELECT * FROM unnest(
      ${column((row) => row.payment_id)}::uuid[], ${column((row) => row.organization_id)}::text[], ${column((row) => row.user_id)}::text[],
      ${column((row) => String(row.amount_minor))}::bigint[], ${column((row) => row.currency)}::text[], ${column((row) => row.status)}::text[],
      ${column((row) => row.description ?? null)}::text[], ${column((row) => String(row.refunded_minor ?? '0'))}::bigint[],
      ${column((row) => row.metadata ?? '{}')}::jsonb[], ${column((row) => row.invoice_id ?? null)}::text[],
      ${column((row) => row.failure_reason ?? null)}::text[],
      ${column((row) => row.gateway_reference ?? null)}::text[], ${column((row) => toTimestamp(row.created_at))}::timestamptz[],
      ${column((row) => toTimestamp(row.updated_at))}::timestamptz[], ${column((row) => row.version)}::int[],
      ${column((row) => String(row.last_position))}::bigint[])
    ON CONFLICT (payment_id) DO UPDATE SET
      status = excluded.status, amount_minor = excluded.amount_minor, description = excluded.description,
      refunded_minor = excluded.refunded_minor, metadata = excluded.metadata, invoice_id = excluded.invoice_id,
      failure_reason = excluded.failure_reason,
      gateway_reference = excluded.gateway_reference, updated_at = excluded.updated_at, version = excluded.version,
      last_position = excluded.last_position
    WHERE payments.version < excluded.version`.execute(trx);
}

const toTimestamp = (value: string | Date): string => (value instanceof Date ? value.toISOString() : value);
