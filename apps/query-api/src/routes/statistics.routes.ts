import {
  EventAnalytics,
  EventAnalyticsQuery,
  PaymentStatistics,
  PaymentStatisticsQuery,
  ReadYourWritesHeaders,
} from '@gyroscops/contracts';
import { authenticatedProblems, ApplicationError, requireOrganization, type HttpApp } from '@gyroscops/platform';
import type { QueryBus } from '../query-bus/query-handler';
import { eventAnalyticsQuery } from '../queries/event-analytics.query';
import { paymentStatisticsQuery } from '../queries/payment-statistics.query';

function assertOrdered(from: string | undefined, to: string | undefined): void {
  if (from !== undefined && to !== undefined && Date.parse(from) > Date.parse(to)) {
    throw new ApplicationError('VALIDATION', '`from` must not be after `to`', [
      { path: 'querystring:/from', message: 'is after to' },
    ]);
  }
}

/** `GET /statistics/payments` and `GET /analytics/events`, both from aggregate read models. */
export function registerStatisticsRoutes(app: HttpApp, deps: { bus: QueryBus }): void {
  app.get(
    '/statistics/payments',
    {
      schema: {
        tags: ['statistics'],
        operationId: 'getPaymentStatistics',
        summary: 'Payment count and amounts per currency and status for an organization',
        querystring: PaymentStatisticsQuery,
        headers: ReadYourWritesHeaders,
        response: {
          200: { ...PaymentStatistics, description: 'Counts and amounts per currency and status' },
          ...authenticatedProblems(400, 403),
        },
      },
    },
    async (request, reply) => {
      requireOrganization(request, request.query.organizationId);
      assertOrdered(request.query.from, request.query.to);
      return deps.bus.execute(paymentStatisticsQuery, request.query, request, reply);
    },
  );
  app.get(
    '/analytics/events',
    {
      schema: {
        tags: ['statistics'],
        operationId: 'getEventAnalytics',
        summary:
          "Events recorded per hour, day, week or month, over the caller's organizations (every organization for the admin role)",
        querystring: EventAnalyticsQuery,
        headers: ReadYourWritesHeaders,
        response: {
          200: { ...EventAnalytics, description: 'Event counts per time bucket' },
          ...authenticatedProblems(400, 403),
        },
      },
    },
    async (request, reply) => {
      assertOrdered(request.query.from, request.query.to);
      // Scoped like every other query: the caller's organizations; an admin's covers the platform.
      const organizationIds = request.caller.roles.includes('admin')
        ? ('all' as const)
        : [...new Set(request.caller.organizations)].sort();
      return deps.bus.execute(eventAnalyticsQuery, { ...request.query, organizationIds }, request, reply);
    },
  );
}
