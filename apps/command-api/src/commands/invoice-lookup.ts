import { canonicalUuid, invoiceStreamId } from '@gyroscops/contracts';
import { foldInvoice, isInvoiceEvent, type InvoiceEvent, type InvoiceStatus } from '@gyroscops/domain';
import { readStream, type EventStoreDb } from '@gyroscops/event-store';

/** What a command route needs of an invoice before it starts anything: its organization and status. */
export interface InvoiceSummary {
  invoiceId: string;
  organizationId: string;
  status: InvoiceStatus;
}

/** The invoice, or undefined when no invoice has that id. */
export type InvoiceLookup = (invoiceId: string) => Promise<InvoiceSummary | undefined>;

/**
 * Folds the invoice's stream with the domain: the command side reads its own event store, never
 * the read models (a stale status would let a pay through to a paid invoice's process).
 */
export function createInvoiceLookup(eventStore: EventStoreDb): InvoiceLookup {
  return async (invoiceId) => {
    const recorded = await readStream(eventStore, invoiceStreamId(canonicalUuid(invoiceId)));
    const events: InvoiceEvent[] = [];
    for (const event of recorded) {
      const candidate = { type: event.type, data: event.data };
      if (isInvoiceEvent(candidate)) events.push(candidate);
    }
    const state = foldInvoice(events);
    if (state.kind === 'absent') return undefined;
    return { invoiceId: state.invoiceId, organizationId: state.organizationId, status: state.status };
  };
}
