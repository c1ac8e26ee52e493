import type { Kysely } from 'kysely';
import { canonicalUuid } from '@gyroscops/contracts';
import { INVOICE_STREAM_TYPE } from '@gyroscops/contracts/workflows';
import {
  evolveInvoice,
  initialInvoiceState,
  isInvoiceEvent,
  toInvoiceView,
  type InvoiceState,
} from '@gyroscops/domain';
import type { EventStoreDb } from '@gyroscops/event-store';
import { rowToInvoiceView } from './invoice-row-mapping';
import type { InvoiceReadTables } from './invoices.table';

/** JSON with object keys sorted: jsonb keeps its own key order, which must not count as a difference. */
const sortedJson = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );

/**
 * `invoices` as it must be: every invoice stream folded with the domain's evolveInvoice and shown
 * with its toInvoiceView. Answers how the read model differs (empty when equal): a row that missed
 * an event or folded one twice shows another status, amount or version.
 */
export async function invoicesDifferences(eventStore: EventStoreDb, readDb: Kysely<any>): Promise<string[]> {
  const events = await eventStore
    .selectFrom('events')
    .select(['stream_id', 'type', 'data'])
    .where('stream_type', '=', INVOICE_STREAM_TYPE)
    .orderBy('position')
    .execute();
  const states = new Map<string, InvoiceState>();
  for (const row of events) {
    const event = { type: row.type, data: row.data as Record<string, unknown> };
    if (!isInvoiceEvent(event)) continue;
    states.set(row.stream_id, evolveInvoice(states.get(row.stream_id) ?? initialInvoiceState, event));
  }
  const expected = new Map<string, string>();
  for (const state of states.values()) {
    const view = toInvoiceView(state);
    if (view) expected.set(canonicalUuid(view.invoiceId), sortedJson(view));
  }
  const rows = await (readDb as Kysely<InvoiceReadTables>).selectFrom('invoices').selectAll().execute();
  const actual = new Map(rows.map((row) => [row.invoice_id, sortedJson(rowToInvoiceView(row))]));

  const differences: string[] = [];
  for (const [invoiceId, view] of expected) {
    const found = actual.get(invoiceId);
    if (found === undefined) differences.push(`invoices ${invoiceId}: missing`);
    else if (found !== view) differences.push(`invoices ${invoiceId}: expected ${view}, got ${found}`);
  }
  for (const invoiceId of actual.keys())
    if (!expected.has(invoiceId)) differences.push(`invoices ${invoiceId}: unexpected`);
  return differences;
}
