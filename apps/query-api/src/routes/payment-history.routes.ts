import { PaymentHistory, PaymentIdParams, ReadYourWritesHeaders } from '@gyroscops/contracts';
import { authenticatedProblems, ApplicationError, canSee, type HttpApp } from '@gyroscops/platform';
import type { QueryBus } from '../query-bus/query-handler';
import { paymentHistoryQuery } from '../queries/payment-history.query';

/** `GET /payments/{paymentId}/history`: the payment's events, also after it was deleted. */
export function registerPaymentHistoryRoutes(app: HttpApp, deps: { bus: QueryBus }): void {
  app.get(
    '/payments/:paymentId/history',
    {
      schema: {
        tags: ['payments'],
        operationId: 'getPaymentHistory',
        summary: 'Every event of a payment, in order (kept after a delete)',
        params: PaymentIdParams,
        headers: ReadYourWritesHeaders,
        response: {
          200: { ...PaymentHistory, description: 'The events of the payment stream, in order' },
          ...authenticatedProblems(400, 404),
        },
      },
    },
    async (request, reply) => {
      const history = await deps.bus.execute(
        paymentHistoryQuery,
        { paymentId: request.params.paymentId },
        request,
        reply,
      );
      // The first event names the payment's organization (it never changes); checked after the cache read.
      if (
        !history ||
        !canSee(
          request,
          (history.items[0]?.metadata as Record<string, unknown> | undefined)?.organizationId as string | undefined,
        )
      )
        throw new ApplicationError('NOT_FOUND', `payment ${request.params.paymentId} not found`);
      return history;
    },
  );
}
