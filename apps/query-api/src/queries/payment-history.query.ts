import { cacheTags, paymentStreamId, type PaymentHistory } from '@gyroscops/contracts';
import { readStream } from '@gyroscops/event-store';
import type { QueryHandler } from '../query-bus/query-handler';
import { toStoredEventBody } from './stored-event-body';

/**
 * `GET /payments/{paymentId}/history`: every event of the payment's stream in version order, from
 * the event store, so it outlives a delete. null for a payment that never existed.
 *
 * Cached under `payment:<id>`: a new event of the payment is followed by a projection batch that drops
 * the entry, and a request with X-Min-Position never takes an entry of this event-store query (the
 * bus stores it at position 0), so a client sees its own command in the history.
 */
export const paymentHistoryQuery: QueryHandler<{ paymentId: string }, PaymentHistory | null> = {
  type: 'payment-history',
  projections: [],
  cache: { tags: ({ paymentId }) => [cacheTags.payment(paymentId)] },
  async handle({ paymentId }, { eventStore }) {
    const events = await readStream(eventStore, paymentStreamId(paymentId));
    return events.length === 0 ? null : { items: events.map(toStoredEventBody) };
  },
};
