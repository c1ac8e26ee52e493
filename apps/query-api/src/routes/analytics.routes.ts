import {
  DAILY_ANALYTICS_MAX_DAYS,
  HOURLY_ANALYTICS_MAX_DAYS,
  PaymentAnalytics,
  PaymentAnalyticsQuery,
  ReadYourWritesHeaders,
  RevenueAnalytics,
  RevenueAnalyticsQuery,
} from '@gyroscops/contracts';
import { ApplicationError, authenticatedProblems, requireOrganization, type HttpApp } from '@gyroscops/platform';
import type { FastifyRequest } from 'fastify';
import type { QueryBus } from '../query-bus/query-handler';
import { paymentAnalyticsQuery } from '../queries/payment-analytics.query';
import { revenueAnalyticsQuery } from '../queries/revenue-analytics.query';
import { checkedRange } from '../queries/usage-analytics-range';

/**
 * The organization scope of a billing analytics request, as /statistics checks it: a named
 * organization must be one of the caller's (403), except for the admin role, which sees every
 * organization and may leave it out for all of them; anyone else must name one (400).
 */
function checkScope(request: FastifyRequest, organizationId: string | undefined): void {
  const admin = request.caller.roles.includes('admin');
  if (organizationId === undefined) {
    if (admin) return;
    throw new ApplicationError('VALIDATION', '`organizationId` is required without the admin role', [
      { path: 'querystring:/organizationId', message: 'is required without the admin role' },
    ]);
  }
  if (!admin) requireOrganization(request, organizationId);
}

/** `GET /analytics/payments` and `GET /analytics/revenue`, from the payment and revenue analytics read models. */
export function registerAnalyticsRoutes(app: HttpApp, deps: { bus: QueryBus }): void {
  app.get(
    '/analytics/payments',
    {
      schema: {
        tags: ['billing'],
        operationId: 'getPaymentAnalytics',
        summary: 'Payments per hour, day or month of creation and per currency: count, amounts, outcomes, refunds',
        description:
          "The payments created in each UTC bucket, as they stand now. For one of the caller's organizations; the admin role may name any, or leave `organizationId` out for every organization.",
        querystring: PaymentAnalyticsQuery,
        headers: ReadYourWritesHeaders,
        response: {
          200: { ...PaymentAnalytics, description: 'Payment figures per bucket and currency' },
          ...authenticatedProblems(400, 403),
        },
      },
    },
    async (request, reply) => {
      checkScope(request, request.query.organizationId);
      const interval = request.query.interval ?? 'day';
      checkedRange(request.query, interval, HOURLY_ANALYTICS_MAX_DAYS);
      return deps.bus.execute(paymentAnalyticsQuery, { ...request.query, interval }, request, reply);
    },
  );
  app.get(
    '/analytics/revenue',
    {
      schema: {
        tags: ['billing'],
        operationId: 'getRevenueAnalytics',
        summary: 'Invoiced, paid, outstanding and uncollectible amounts per day or month of issue, per currency',
        description:
          "The invoices issued in each UTC bucket, as they stand now. For one of the caller's organizations; the admin role may name any, or leave `organizationId` out for every organization.",
        querystring: RevenueAnalyticsQuery,
        headers: ReadYourWritesHeaders,
        response: {
          200: { ...RevenueAnalytics, description: 'Revenue figures per currency and bucket' },
          ...authenticatedProblems(400, 403),
        },
      },
    },
    async (request, reply) => {
      checkScope(request, request.query.organizationId);
      const interval = request.query.interval ?? 'month';
      checkedRange(request.query, interval, DAILY_ANALYTICS_MAX_DAYS);
      return deps.bus.execute(revenueAnalyticsQuery, { ...request.query, interval }, request, reply);
    },
  );
}
