import { cacheTags, PROJECTIONS, type UsageSeries, type UsageSeriesQuery } from '@gyroscops/contracts';
import { readUsageSeries } from '@gyroscops/read-models';
import type { QueryHandler } from '../query-bus/query-handler';

/** The query with the organization of its path (the route checked the caller may see it). */
export type OrganizationUsageSeriesQuery = UsageSeriesQuery & { organizationId: string };

/** `GET /organizations/{organizationId}/usage`: usage per meter and bucket, from the `usage_series` read model. */
export const usageSeriesQuery: QueryHandler<OrganizationUsageSeriesQuery, UsageSeries> = {
  type: 'usage-series',
  projections: [PROJECTIONS.usageSeries],
  // The projection names every organization whose rows a batch changed: the organization's tag is enough.
  cache: { ttlSeconds: 60, tags: ({ organizationId }) => [cacheTags.organization(organizationId)] },
  async handle(params, { readDb }) {
    const interval = params.interval ?? 'day';
    const from = new Date(params.from);
    const to = new Date(params.to);
    const series = await readUsageSeries(readDb, {
      organizationId: params.organizationId,
      from,
      to,
      interval,
      meter: params.meter,
    });
    return { organizationId: params.organizationId, interval, from: from.toISOString(), to: to.toISOString(), series };
  },
};
