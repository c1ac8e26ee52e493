import { PaymentSearchPage, PaymentSearchQuery, ReadYourWritesHeaders } from '@gyroscops/contracts';
import { authenticatedProblems, type HttpApp } from '@gyroscops/platform';
import { scopeToCaller } from '../queries/caller-scope';
import type { QueryBus } from '../query-bus/query-handler';
import { paymentSearchParams, paymentSearchQuery } from '../queries/payment-search.query';

/** `GET /payments`: search with filters, sort, keyset pages (opaque cursors) and the total. */
export function registerPaymentSearchRoutes(app: HttpApp, deps: { bus: QueryBus }): void {
  app.get(
    '/payments',
    {
      schema: {
        tags: ['payments'],
        operationId: 'searchPayments',
        summary: 'Search payments: filters, sort, cursor pages and the number of matches',
        description:
          'Pages follow `nextCursor` until it is null; a walk returns every matching payment exactly once, even while payments ' +
          'are created (those sorting after the current page may appear too). A cursor only works with the filters, sort and ' +
          'order it came from (400 otherwise). `minAmount`/`maxAmount` need `currency` (400 otherwise). Unknown parameters are 400. ' +
          "`organizationId` must be one of the token's organizations (403 otherwise); without it, the search covers all of them.",
        querystring: PaymentSearchQuery,
        headers: ReadYourWritesHeaders,
        response: {
          200: {
            ...PaymentSearchPage,
            description: 'A page of matching payments, the cursor of the next page and the number of matches',
          },
          ...authenticatedProblems(400, 403),
        },
      },
    },
    async (request, reply) => {
      const params = paymentSearchParams(request.query, (criteria) => scopeToCaller(request, criteria));
      return deps.bus.execute(paymentSearchQuery, params, request, reply);
    },
  );
}
