import { PaymentIdParams, PaymentViewSchema, PROJECTIONS, ReadYourWritesHeaders } from '@gyroscops/contracts';
import type { PaymentView } from '@gyroscops/domain';
import { ApplicationError, problemResponses, type HttpApp } from '@gyroscops/platform';
import { findPaymentView, type PaymentReadTables } from '@gyroscops/read-models';
import type { Kysely } from 'kysely';
import type { AwaitProjections } from '../consistency/read-your-writes';

const READS = [PROJECTIONS.payments];

/** The view as the API shows it: the domain view minus its internal `deleted` flag. */
function toBody(view: PaymentView) {
  const { deleted: _deleted, ...body } = view;
  return body;
}

/** `GET /payments/{paymentId}`: the current view, with an ETag and 304 on If-None-Match. */
export function registerPaymentViewRoutes(app: HttpApp, deps: { readDb: Kysely<PaymentReadTables>; awaitProjections: AwaitProjections }): void {
  app.get(
    '/payments/:paymentId',
    {
      schema: {
        tags: ['payments'],
        operationId: 'getPayment',
        summary: 'The current view of a payment',
        params: PaymentIdParams,
        headers: ReadYourWritesHeaders,
        response: { 200: PaymentViewSchema, 304: { type: 'null', description: 'Not modified (If-None-Match)' }, ...problemResponses(400, 404, 500, 503) },
      },
    },
    async (request, reply) => {
      await deps.awaitProjections(request, reply, READS);
      const view = await findPaymentView(deps.readDb, request.params.paymentId);
      if (!view) throw new ApplicationError('NOT_FOUND', `payment ${request.params.paymentId} not found`);
      const etag = `"${view.version}"`;
      reply.header('etag', etag);
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return toBody(view);
    },
  );
}
