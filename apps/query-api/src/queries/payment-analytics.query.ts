import { cacheTags, PROJECTIONS, type PaymentAnalytics, type PaymentAnalyticsQuery } from '@gyroscops/contracts';
import { readPaymentAnalytics } from '@gyroscops/read-models';
import type { QueryHandler } from '../query-bus/query-handler';

/**
 * The query once the route checked its scope: one organization the caller may see, or every
 * organization (`organizationId` absent, the admin role only). The scope is part of the params,
 * hence of the cache key.
 */
export type ScopedPaymentAnalyticsQuery = PaymentAnalyticsQuery & { interval: 'hour' | 'day' | 'month' };

/** `GET /analytics/payments`: payments per bucket of creation and currency, from the `payment_analytics` read model. */
export const paymentAnalyticsQuery: QueryHandler<ScopedPaymentAnalyticsQuery, PaymentAnalytics> = {
  type: 'payment-analytics',
  projections: [PROJECTIONS.paymentAnalytics],
  cache: {
    ttlSeconds: 60,
    // One organization: its tag (the projection names every organization a batch changed); all of them: any batch.
    tags: ({ organizationId }) =>
      organizationId === undefined
        ? [cacheTags.projection(PROJECTIONS.paymentAnalytics)]
        : [cacheTags.organization(organizationId)],
  },
  async handle(params, { readDb }) {
    const buckets = await readPaymentAnalytics(readDb, {
      organizationIds: params.organizationId === undefined ? undefined : [params.organizationId],
      from: new Date(params.from),
      to: new Date(params.to),
      interval: params.interval,
      currency: params.currency,
    });
    return { organizationId: params.organizationId ?? null, interval: params.interval, buckets };
  },
};
