import { sql, type Transaction } from 'kysely';
import { canonicalUuid } from '@gyroscops/contracts';
import {
  evolveInvoice,
  initialInvoiceState,
  INVOICE_EVENT_TYPES,
  isInvoiceEvent,
  type InvoiceState,
} from '@gyroscops/domain';
import type { RecordedEvent } from '@gyroscops/event-store';
import type { Projection, ProjectionChanges } from '@gyroscops/projections';
import { invoiceStateToRow, rowToInvoiceState } from './invoice-row-mapping';
import type { InvoiceReadTables, InvoiceRow, NewInvoiceRow } from './invoices.table';

export const INVOICES_PROJECTION = 'invoices';

interface FoldedInvoice {
  state: InvoiceState;
  /** Stream version of the last event folded: events at or below it are never folded again. */
  streamVersion: number;
}

/**
 * The `invoices` read model: one row per issued invoice, folded with the domain's own `evolveInvoice`,
 * so the view always equals a replay of the stream. Events at or below a row's stream version are
 * skipped, a second guard (after the checkpoint) against applying anything twice. The guard is the
 * stream version rather than the domain's count of invoice events: an event type this projection does
 * not know (a newer writer's) would otherwise leave the two apart and let a replayed event through.
 */
export const invoicesProjection: Projection<InvoiceReadTables> = {
  name: INVOICES_PROJECTION,
  version: 1,
  eventTypes: INVOICE_EVENT_TYPES,
  tables: ['invoices'],
  // An invoice that missed a payment or a refund would show a wrong balance: stop and let an operator look.
  poisonPolicy: 'halt',
  async apply(events: RecordedEvent[], trx: Transaction<InvoiceReadTables>): Promise<ProjectionChanges> {
    // Grouped by stream (an invoice is its stream), each folded as the invoice its first event names,
    // in canonical spelling, as the uuid column prints it.
    const byStream = new Map<string, { invoiceId: string; events: RecordedEvent[] }>();
    for (const event of events) {
      const stream = byStream.get(event.streamId);
      if (stream) stream.events.push(event);
      else byStream.set(event.streamId, { invoiceId: canonicalUuid(String(event.data.invoiceId)), events: [event] });
    }
    const streams = [...byStream.values()];
    // A stream whose first event here is its first event ever has no row yet: only the others are read.
    const continued = streams.filter((stream) => stream.events[0]!.streamVersion > 1).map((stream) => stream.invoiceId);
    const rows = continued.length > 0 ? await selectInvoiceRows(trx, continued) : [];
    const folded = new Map<string, FoldedInvoice>(
      rows.map((row) => [row.invoice_id, { state: rowToInvoiceState(row), streamVersion: row.stream_version }]),
    );

    const upserts: NewInvoiceRow[] = [];
    const organizationIds = new Set<string>();
    for (const { invoiceId, events: streamEvents } of streams) {
      let { state, streamVersion } = folded.get(invoiceId) ?? { state: initialInvoiceState, streamVersion: 0 };
      let lastPosition = 0n;
      for (const event of streamEvents) {
        const domainEvent = { type: event.type, data: { ...event.data, invoiceId } };
        if (event.streamVersion <= streamVersion || !isInvoiceEvent(domainEvent)) continue;
        state = evolveInvoice(state, domainEvent);
        streamVersion = event.streamVersion;
        lastPosition = event.position;
      }
      if (state.kind === 'absent' || lastPosition === 0n) continue;
      organizationIds.add(state.organizationId);
      upserts.push(invoiceStateToRow(state, streamVersion, lastPosition));
    }

    if (upserts.length > 0) await upsertInvoiceRows(trx, upserts);
    // Invoice views and searches are cached under their organization's tag.
    return { paymentIds: [], organizationIds: [...organizationIds] };
  },
};

async function selectInvoiceRows(trx: Transaction<InvoiceReadTables>, ids: string[]): Promise<InvoiceRow[]> {
  const { rows } = await sql<InvoiceRow>`SELECT * FROM invoices WHERE invoice_id = ANY(${ids}::uuid[])`.execute(trx);
  return rows;
}

const toTimestamp = (value: string | Date | null | undefined): string | null =>
  value === null || value === undefined ? null : value instanceof Date ? value.toISOString() : value;

/**
 * One INSERT … ON CONFLICT for the whole batch, its rows sent as one array per column (a fixed number
 * of parameters whatever the batch size). The WHERE keeps a row that is already at or past the folded
 * stream version: with rows folded from a stream's first event without reading the table, it is the
 * guard against applying anything twice.
 */
async function upsertInvoiceRows(trx: Transaction<InvoiceReadTables>, rows: NewInvoiceRow[]): Promise<void> {
  const column = <T>(pick: (row: NewInvoiceRow) => T) => rows.map(pick);
  await sql`
    INSERT INTO invoices (invoice_id, organization_id, number, cycle_sequence, currency, status, period_start, period_end,
                          lines, total_minor, amount_paid_minor, amount_refunded_minor, dunning, payment_ids,
                          payment_in_flight, paid_payment_id, attempts, declined_attempts, next_attempt_at, refund_ids,
                          issued_at, paid_at, voided_at, void_reason, updated_at, version, stream_version, last_position)
    SELECT * FROM unnest(
      ${column((row) => row.invoice_id)}::uuid[], ${column((row) => row.organization_id)}::text[],
      ${column((row) => row.number)}::text[], ${column((row) => row.cycle_sequence)}::int[],
      ${column((row) => row.currency)}::text[], ${column((row) => row.status)}::text[],
      ${column((row) => toTimestamp(row.period_start))}::timestamptz[], ${column((row) => toTimestamp(row.period_end))}::timestamptz[],
      ${column((row) => row.lines)}::jsonb[], ${column((row) => String(row.total_minor))}::bigint[],
      ${column((row) => String(row.amount_paid_minor))}::bigint[], ${column((row) => String(row.amount_refunded_minor))}::bigint[],
      ${column((row) => row.dunning)}::jsonb[], ${column((row) => row.payment_ids)}::jsonb[],
      ${column((row) => row.payment_in_flight ?? null)}::text[], ${column((row) => row.paid_payment_id ?? null)}::text[],
      ${column((row) => row.attempts)}::int[], ${column((row) => row.declined_attempts)}::int[],
      ${column((row) => toTimestamp(row.next_attempt_at))}::timestamptz[], ${column((row) => row.refund_ids)}::jsonb[],
      ${column((row) => toTimestamp(row.issued_at))}::timestamptz[], ${column((row) => toTimestamp(row.paid_at))}::timestamptz[],
      ${column((row) => toTimestamp(row.voided_at))}::timestamptz[], ${column((row) => row.void_reason ?? null)}::text[],
      ${column((row) => toTimestamp(row.updated_at))}::timestamptz[], ${column((row) => row.version)}::int[],
      ${column((row) => row.stream_version)}::int[], ${column((row) => String(row.last_position))}::bigint[])
    ON CONFLICT (invoice_id) DO UPDATE SET
      status = excluded.status, amount_paid_minor = excluded.amount_paid_minor,
      amount_refunded_minor = excluded.amount_refunded_minor, payment_ids = excluded.payment_ids,
      payment_in_flight = excluded.payment_in_flight, paid_payment_id = excluded.paid_payment_id,
      attempts = excluded.attempts, declined_attempts = excluded.declined_attempts,
      next_attempt_at = excluded.next_attempt_at, refund_ids = excluded.refund_ids, paid_at = excluded.paid_at,
      voided_at = excluded.voided_at, void_reason = excluded.void_reason, updated_at = excluded.updated_at,
      version = excluded.version, stream_version = excluded.stream_version, last_position = excluded.last_position
    WHERE invoices.stream_version < excluded.stream_version`.execute(trx);
}
