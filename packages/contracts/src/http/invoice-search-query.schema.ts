import { Type, type Static } from '@sinclair/typebox';
import type { InvoiceStatus as DomainInvoiceStatus } from '@gyroscops/domain';
import { OrganizationId } from './common.schema';
import { Cursor } from './cursor.schema';
import { Instant } from './instant.schema';
import { InvoiceStatus, InvoiceViewSchema } from './invoice-view.schema';

/** Largest page of an invoice search. */
export const INVOICE_SEARCH_MAX_LIMIT = 200;
export const INVOICE_SEARCH_DEFAULT_LIMIT = 20;

/**
 * `GET /invoices` query string. Invoices come newest period first (ties by invoiceId). Unknown
 * parameters are rejected (400), so a misspelt filter never silently matches everything.
 */
export const InvoiceSearchQuery = Type.Object(
  {
    organizationId: Type.Optional(OrganizationId),
    status: Type.Optional(
      Type.Array(InvoiceStatus, {
        minItems: 1,
        maxItems: 5,
        description: 'Any of these statuses (repeat the parameter).',
      }),
    ),
    periodFrom: Type.Optional(
      Instant({ description: 'Invoices whose period starts at or after this instant (inclusive).' }),
    ),
    periodTo: Type.Optional(
      Instant({
        description:
          'Invoices whose period starts before this instant (exclusive), so consecutive ranges neither overlap nor leave a gap.',
      }),
    ),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: INVOICE_SEARCH_MAX_LIMIT, default: INVOICE_SEARCH_DEFAULT_LIMIT }),
    ),
    cursor: Type.Optional(Cursor('Opaque: the nextCursor of the previous page, with the same filters.')),
  },
  { additionalProperties: false },
);
export type InvoiceSearchQuery = Static<typeof InvoiceSearchQuery>;

export const InvoiceSearchPage = Type.Object({
  items: Type.Array(InvoiceViewSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'null on the last page.' }),
  total: Type.Integer({ minimum: 0, description: 'How many invoices match the filters (all pages).' }),
});
export type InvoiceSearchPage = Static<typeof InvoiceSearchPage>;

/**
 * A validated, canonical invoice search: what the query side runs. JSON only (it is a cache key and
 * a cursor fingerprint): instants are ISO strings, statuses sorted and unique.
 */
export interface InvoiceSearchCriteria {
  organizationId?: string;
  /** Limits the search to these organizations (the caller's, sorted, when no organizationId is given); empty matches nothing. */
  organizationIds?: string[];
  statuses?: DomainInvoiceStatus[];
  /** Period start, inclusive. */
  periodFrom?: string;
  /** Period start, exclusive. */
  periodTo?: string;
}
