import { cacheTags, PROJECTIONS } from '@gyroscops/contracts';
import type { InvoiceView } from '@gyroscops/domain';
import { withTablesOf } from '@gyroscops/platform';
import { findInvoiceView, type InvoiceReadTables } from '@gyroscops/read-models';
import type { QueryHandler } from '../query-bus/query-handler';

/**
 * The current view of one invoice, from the invoices read model. Cached under its organization's
 * tag, which every batch touching one of the organization's invoices invalidates; "no such invoice"
 * (null) is cached under the projection's tag, which the batch that issues it invalidates.
 */
export const invoiceViewQuery: QueryHandler<{ invoiceId: string }, InvoiceView | null> = {
  type: 'invoice-view',
  projections: [PROJECTIONS.invoices],
  cache: {
    tags: (_params, view) =>
      view === null ? [cacheTags.projection(PROJECTIONS.invoices)] : [cacheTags.organization(view.organizationId)],
  },
  async handle({ invoiceId }, { readDb }) {
    return (await findInvoiceView(withTablesOf<InvoiceReadTables>(readDb), invoiceId)) ?? null;
  },
};
