import {
  HOURLY_ANALYTICS_MAX_DAYS,
  OrganizationIdParams,
  ReadYourWritesHeaders,
  UsageSeries,
  UsageSeriesQuery,
} from '@gyroscops/contracts';
import { ApplicationError, authenticatedProblems, canSee, type HttpApp } from '@gyroscops/platform';
import type { QueryBus } from '../query-bus/query-handler';
import { checkedRange } from '../queries/usage-analytics-range';
import { usageSeriesQuery } from '../queries/usage-series.query';

/** `GET /organizations/{organizationId}/usage`: an organization's metered usage over time. */
export function registerUsageRoutes(app: HttpApp, deps: { bus: QueryBus }): void {
  app.get(
    '/organizations/:organizationId/usage',
    {
      schema: {
        tags: ['billing'],
        operationId: 'getUsageSeries',
        summary: "An organization's usage per meter and hour, day or month",
        description:
          "Accepted usage records (duplicates never count) per meter, in UTC buckets of their `occurredAt`, aggregated as the meter's plan says: the sum of the quantities (`sum`), the number of records (`count`) or the largest quantity (`max`). Another organization's usage answers 404.",
        params: OrganizationIdParams,
        querystring: UsageSeriesQuery,
        headers: ReadYourWritesHeaders,
        response: {
          200: { ...UsageSeries, description: 'Usage per meter and bucket' },
          ...authenticatedProblems(400, 404),
        },
      },
    },
    async (request, reply) => {
      const { organizationId } = request.params;
      if (!canSee(request, organizationId))
        throw new ApplicationError('NOT_FOUND', `organization ${organizationId} not found`);
      const interval = request.query.interval ?? 'day';
      checkedRange(request.query, interval, HOURLY_ANALYTICS_MAX_DAYS);
      return deps.bus.execute(usageSeriesQuery, { ...request.query, interval, organizationId }, request, reply);
    },
  );
}
