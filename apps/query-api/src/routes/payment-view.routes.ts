import {
  cacheTags,
  PaymentAsOfQuery,
  PaymentIdParams,
  PaymentViewAtSchema,
  PROJECTIONS,
  ReadYourWritesHeaders,
} from '@gyroscops/contracts';
import type { PaymentView } from '@gyroscops/domain';
import { authenticatedProblems, ApplicationError, canSee, withTablesOf, type HttpApp } from '@gyroscops/platform';
import { findPaymentView, type PaymentReadTables } from '@gyroscops/read-models';
import { answerPaymentAsOf } from '../queries/payment-as-of.query';
import type { QueryBus, QueryHandler } from '../query-bus/query-handler';

/**
 * The current view of one payment, from the payments read model. Cached under `payment:<id>`, which
 * every batch touching the payment invalidates; "no such payment" (null) is cached too, and the batch
 * that creates the payment invalidates it the same way.
 */
export const paymentViewQuery: QueryHandler<{ paymentId: string }, PaymentView | null> = {
  type: 'payment-view',
  projections: [PROJECTIONS.payments],
  cache: { tags: ({ paymentId }) => [cacheTags.payment(paymentId)] },
  async handle({ paymentId }, { readDb }) {
    return (await findPaymentView(withTablesOf<PaymentReadTables>(readDb), paymentId)) ?? null;
  },
};

/** The view as the API shows it: the domain view minus its internal `deleted` flag. */
function toBody(view: PaymentView) {
  const { deleted: _deleted, ...body } = view;
  return body;
}

/**
 * Each cached view's answer body, serialized once by the route's response schema. Views are shared,
 * never mutated, cache entries (see QueryHandler.cache): the body lives as long as its view.
 */
const serializedBodies = new WeakMap<PaymentView, string>();

/**
 * `GET /payments/{paymentId}`: the current view, with an ETag and 304 on If-None-Match; with
 * `?asOf=` or `?version=`, the payment replayed from its stream instead. The hot path: a view in L1,
 * asked for without X-Min-Position, is answered before the bus's stages, with its body serialized
 * once per cache entry; everything else goes through the bus.
 */
export function registerPaymentViewRoutes(app: HttpApp, deps: { bus: QueryBus }): void {
  app.get(
    '/payments/:paymentId',
    {
      schema: {
        tags: ['payments'],
        operationId: 'getPayment',
        summary: 'The current view of a payment, or its state at a version or instant (replayed from its events)',
        params: PaymentIdParams,
        querystring: PaymentAsOfQuery,
        headers: ReadYourWritesHeaders,
        response: {
          200: {
            ...PaymentViewAtSchema,
            description: 'The payment view (ETag: its version), or its replayed state with ?asOf= or ?version=',
          },
          304: { type: 'null', description: 'Not modified (If-None-Match)' },
          ...authenticatedProblems(400, 404),
        },
      },
    },
    async (request, reply) => {
      const { asOf, version } = request.query as { asOf?: unknown; version?: unknown };
      if (asOf !== undefined || version !== undefined) return answerPaymentAsOf(deps.bus, request, reply);
      const params = { paymentId: request.params.paymentId };
      const view =
        deps.bus.answerFromL1(paymentViewQuery, params, request, reply)?.value ??
        (await deps.bus.execute(paymentViewQuery, params, request, reply));
      // Entries are keyed by payment id: ownership is checked after the cache read, so another
      // organization's payment (cached or not) answers 404 exactly like an unknown one.
      if (!view || !canSee(request, view.organizationId))
        throw new ApplicationError('NOT_FOUND', `payment ${request.params.paymentId} not found`);
      const etag = `"${view.version}"`;
      reply.header('etag', etag);
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      let body = serializedBodies.get(view);
      if (body === undefined) serializedBodies.set(view, (body = reply.serialize(toBody(view)) as string));
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );
}
