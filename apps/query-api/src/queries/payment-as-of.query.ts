import type { FastifyReply, FastifyRequest } from 'fastify';
import { cacheTags, parseInstant, paymentStreamId, type PaymentViewAtBody } from '@gyroscops/contracts';
import { foldPayment, isPaymentEvent, toPaymentView, type PaymentEvent } from '@gyroscops/domain';
import { readStream } from '@gyroscops/event-store';
import { ApplicationError, canSee } from '@gyroscops/platform';
import type { QueryBus, QueryHandler } from '../query-bus/query-handler';

/** Which point of a payment's life: after its first `version` events, or as it was at `asOf`. Exactly one is set. */
export type PaymentAsOfParams = { paymentId: string; version: number } | { paymentId: string; asOf: string };

/** A day: an answer for a version never changes, and every change of the payment drops it anyway (its tag). */
const TTL_SECONDS = 86_400;

/**
 * `GET /payments/{paymentId}?version=<n>` or `?asOf=<instant>`: the payment rebuilt by folding its
 * stream with the domain's own `evolve`, up to that version or to the events recorded at or before
 * that instant. Deleted payments replay too: the view then says `deleted: true`. null when the payment
 * had no event by then (or has not reached that version).
 *
 * Reads the event store only (no projection to wait for). Cached under `payment:<id>`: a version's
 * state is immutable and a past instant's state too, and an instant still to come changes only with
 * a new event of the payment, whose projection batch drops the entry; with X-Min-Position the bus
 * reads afresh, so read-your-writes holds.
 */
export const paymentAsOfQuery: QueryHandler<PaymentAsOfParams, PaymentViewAtBody | null> = {
  type: 'payment-as-of',
  projections: [],
  cache: { ttlSeconds: TTL_SECONDS, tags: ({ paymentId }) => [cacheTags.payment(paymentId)] },
  async handle(params, { eventStore }) {
    const events = await readStream(
      eventStore,
      paymentStreamId(params.paymentId),
      'version' in params ? { toVersion: params.version } : { recordedUpTo: new Date(params.asOf) },
    );
    if ('version' in params && events[events.length - 1]?.streamVersion !== params.version) return null;
    const domainEvents = events
      .map((event) => ({ type: event.type, data: event.data }))
      .filter((event): event is PaymentEvent => isPaymentEvent(event));
    return toPaymentView(foldPayment(domainEvents));
  },
};

const problem = (field: string, message: string) =>
  new ApplicationError('VALIDATION', `${field} ${message}`, [{ path: `querystring:/${field}`, message }]);

/** The as-of parameters of a request, or undefined when it asks for the current view. Throws 400 for bad or conflicting ones. */
export function paymentAsOfParams(paymentId: string, query: unknown): PaymentAsOfParams | undefined {
  const { asOf, version } = (typeof query === 'object' && query !== null ? query : {}) as {
    asOf?: unknown;
    version?: unknown;
  };
  if (asOf === undefined && version === undefined) return undefined;
  if (asOf !== undefined && version !== undefined)
    throw problem('version', 'cannot be combined with asOf: ask for one point in time');
  if (version !== undefined) {
    // A number once the route's querystring schema coerced it, the raw text otherwise.
    const parsed =
      typeof version === 'number'
        ? version
        : typeof version === 'string' && /^\d{1,10}$/.test(version)
          ? Number(version)
          : NaN;
    if (!Number.isSafeInteger(parsed) || parsed < 1 || parsed > 2_147_483_647)
      throw problem('version', 'must be a stream version (an integer from 1)');
    return { paymentId, version: parsed };
  }
  // The instants every route accepts (contracts' parseInstant): RFC 3339 with a time zone, 1970 to 9999.
  const instant = typeof asOf === 'string' ? parseInstant(asOf) : undefined;
  if (!instant) throw problem('asOf', 'must be an RFC 3339 date-time with a time zone, from 1970 to 9999');
  // Canonical, so equal instants written differently share one cache entry.
  return { paymentId, asOf: instant.toISOString() };
}

/**
 * For `GET /payments/{paymentId}` (payment-view.routes.ts): answers `?asOf=` / `?version=` through the
 * bus, or returns undefined when the request has neither, for the route to answer the current view.
 * 404 when the payment had no event by then; 400 when both are given or either is malformed.
 */
export async function answerPaymentAsOf(
  bus: QueryBus,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<PaymentViewAtBody | undefined> {
  const { paymentId } = request.params as { paymentId: string };
  const params = paymentAsOfParams(paymentId, request.query);
  if (!params) return undefined;
  const view = await bus.execute(paymentAsOfQuery, params, request, reply);
  if (!view || !canSee(request, view.organizationId)) {
    const when = 'version' in params ? `at version ${params.version}` : `as of ${params.asOf}`;
    throw new ApplicationError('NOT_FOUND', `payment ${paymentId} has no state ${when}`);
  }
  return view;
}
