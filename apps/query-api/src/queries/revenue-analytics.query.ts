import { cacheTags, PROJECTIONS, type RevenueAnalytics, type RevenueAnalyticsQuery } from '@gyroscops/contracts';
import { readRevenueAnalytics } from '@gyroscops/read-models';
import type { QueryHandler } from '../query-bus/query-handler';

/** The query once the route checked its scope (see ScopedPaymentAnalyticsQuery). */
export type ScopedRevenueAnalyticsQuery = RevenueAnalyticsQuery & { interval: 'day' | 'month' };

/** `GET /analytics/revenue`: invoices per bucket of issue and currency, from the `revenue_analytics` read model. */
export const revenueAnalyticsQuery: QueryHandler<ScopedRevenueAnalyticsQuery, RevenueAnalytics> = {
  type: 'revenue-analytics',
  projections: [PROJECTIONS.revenueAnalytics],
  cache: {
    ttlSeconds: 60,
    tags: ({ organizationId }) =>
      organizationId === undefined
        ? [cacheTags.projection(PROJECTIONS.revenueAnalytics)]
        : [cacheTags.organization(organizationId)],
  },
  async handle(params, { readDb }) {
    const currencies = await readRevenueAnalytics(readDb, {
      organizationIds: params.organizationId === undefined ? undefined : [params.organizationId],
      from: new Date(params.from),
      to: new Date(params.to),
      interval: params.interval,
      currency: params.currency,
    });
    return { organizationId: params.organizationId ?? null, interval: params.interval, currencies };
  },
};
