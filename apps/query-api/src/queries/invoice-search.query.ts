import type { FastifyRequest } from 'fastify';
import {
  cacheTags,
  INVOICE_SEARCH_DEFAULT_LIMIT,
  PROJECTIONS,
  type InvoiceSearchCriteria,
  type InvoiceSearchPage,
  type InvoiceSearchQuery,
} from '@gyroscops/contracts';
import { ApplicationError, requireOrganization, withTablesOf } from '@gyroscops/platform';
import { countInvoices, isValidInvoiceSearchKey, searchInvoices, type InvoiceReadTables } from '@gyroscops/read-models';
import { decodeCursor, encodeCursor, invalidCursorPosition, queryFingerprint } from '../cursor';
import type { QueryHandler } from '../query-bus/query-handler';

const CURSOR_KIND = 'invoices';

/** A validated search: canonical criteria, page size and where the page starts. JSON only: it is a cache key. */
export interface InvoiceSearchParams {
  criteria: InvoiceSearchCriteria;
  limit: number;
  /** The keyset position from the cursor (period start, invoice id); null for the first page. */
  after: [string, string] | null;
}

/**
 * Turns `GET /invoices`'s query string into search parameters limited to what the caller may see:
 * a named organization must be one of the token's (403 otherwise); without one, the search covers
 * the token's organizations. 400 for a reversed period range and for a cursor of another query.
 */
export function invoiceSearchParams(query: InvoiceSearchQuery, request: FastifyRequest): InvoiceSearchParams {
  const { limit, cursor, organizationId, status, periodFrom, periodTo } = query;
  const criteria: InvoiceSearchCriteria = {};
  if (organizationId !== undefined) {
    requireOrganization(request, organizationId);
    criteria.organizationId = organizationId;
  } else {
    // Sorted and unique, so equal scopes share cache entries and cursors.
    criteria.organizationIds = [...new Set(request.caller.organizations)].sort();
  }
  if (status !== undefined) criteria.statuses = [...new Set(status)].sort();
  // Schema validation already checked the date-time format; the ISO form makes them canonical.
  if (periodFrom !== undefined) criteria.periodFrom = new Date(periodFrom).toISOString();
  if (periodTo !== undefined) criteria.periodTo = new Date(periodTo).toISOString();
  if (criteria.periodFrom !== undefined && criteria.periodTo !== undefined && criteria.periodFrom > criteria.periodTo) {
    throw new ApplicationError('VALIDATION', 'querystring:/periodTo: must not be before periodFrom', [
      { path: 'querystring:/periodTo', message: 'must not be before periodFrom' },
    ]);
  }
  let after: [string, string] | null = null;
  if (cursor !== undefined) {
    const position = decodeCursor(cursor, CURSOR_KIND, queryFingerprint(CURSOR_KIND, criteria), ['instant', 'uuid']);
    if (!isValidInvoiceSearchKey(position)) throw invalidCursorPosition();
    after = [position[0], position[1]];
  }
  return { criteria, limit: limit ?? INVOICE_SEARCH_DEFAULT_LIMIT, after };
}

/**
 * `GET /invoices`: one keyset page of the invoices read model and the number of all matches, tagged
 * with the organizations it covers (a batch touching any invoice of one of them drops the entry).
 */
export const invoiceSearchQuery: QueryHandler<InvoiceSearchParams, InvoiceSearchPage> = {
  type: 'invoice-search',
  projections: [PROJECTIONS.invoices],
  cache: {
    tags: ({ criteria }) =>
      criteria.organizationId !== undefined
        ? [cacheTags.organization(criteria.organizationId)]
        : (criteria.organizationIds ?? []).map((organizationId) => cacheTags.organization(organizationId)),
  },
  async handle({ criteria, limit, after }, { readDb }) {
    const db = withTablesOf<InvoiceReadTables>(readDb);
    const [page, total] = await Promise.all([
      searchInvoices(db, criteria, { limit, after: after ?? undefined }),
      countInvoices(db, criteria),
    ]);
    return {
      items: page.items,
      nextCursor:
        page.nextKey === null ? null : encodeCursor(CURSOR_KIND, queryFingerprint(CURSOR_KIND, criteria), page.nextKey),
      total,
    };
  },
};
