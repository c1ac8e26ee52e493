import {
  InvoiceIdParams,
  InvoiceSearchPage,
  InvoiceSearchQuery,
  InvoiceViewSchema,
  ReadYourWritesHeaders,
} from '@gyroscops/contracts';
import { authenticatedProblems, ApplicationError, canSee, type HttpApp } from '@gyroscops/platform';
import { invoiceSearchParams, invoiceSearchQuery } from '../queries/invoice-search.query';
import { invoiceViewQuery } from '../queries/invoice-view.query';
import type { QueryBus } from '../query-bus/query-handler';

/** `GET /invoices` (search) and `GET /invoices/{invoiceId}` (one invoice), from the invoices read model. */
export function registerInvoiceRoutes(app: HttpApp, deps: { bus: QueryBus }): void {
  app.get(
    '/invoices',
    {
      schema: {
        tags: ['billing'],
        operationId: 'searchInvoices',
        summary: 'Search invoices by organization, status and period: cursor pages and the number of matches',
        description:
          'Newest period first. Pages follow `nextCursor` until it is null; a walk returns every matching invoice exactly ' +
          'once, even while invoices are issued. A cursor only works with the filters it came from (400 otherwise). ' +
          "`organizationId` must be one of the token's organizations (403 otherwise); without it, the search covers all of them.",
        querystring: InvoiceSearchQuery,
        headers: ReadYourWritesHeaders,
        response: {
          200: {
            ...InvoiceSearchPage,
            description: 'A page of matching invoices, the next cursor and the number of matches',
          },
          ...authenticatedProblems(400, 403),
        },
      },
    },
    async (request, reply) =>
      deps.bus.execute(invoiceSearchQuery, invoiceSearchParams(request.query, request), request, reply),
  );

  app.get(
    '/invoices/:invoiceId',
    {
      schema: {
        tags: ['billing'],
        operationId: 'getInvoice',
        summary: 'The current view of an invoice: lines, status, amounts, payments and dunning',
        params: InvoiceIdParams,
        headers: ReadYourWritesHeaders,
        response: {
          200: { ...InvoiceViewSchema, description: 'The invoice view (ETag: its version)' },
          304: { type: 'null', description: 'Not modified (If-None-Match)' },
          ...authenticatedProblems(400, 404),
        },
      },
    },
    async (request, reply) => {
      const view = await deps.bus.execute(invoiceViewQuery, { invoiceId: request.params.invoiceId }, request, reply);
      // Entries are keyed by invoice id: ownership is checked after the cache read, so another
      // organization's invoice (cached or not) answers 404 exactly like an unknown one.
      if (!view || !canSee(request, view.organizationId))
        throw new ApplicationError('NOT_FOUND', `invoice ${request.params.invoiceId} not found`);
      const etag = `"${view.version}"`;
      reply.header('etag', etag);
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return view;
    },
  );
}
