import { cacheTags, PROJECTIONS, type EventAnalytics, type EventAnalyticsQuery } from '@gyroscops/contracts';
import { readEventBuckets } from '@gyroscops/read-models';
import type { QueryHandler } from '../query-bus/query-handler';

/**
 * The query with the caller's scope: the organizations whose events it counts (sorted, so equal
 * scopes share cache entries), or `all` for an admin. The scope is part of the params, hence of the
 * cache key: no entry is shared between different scopes.
 */
export type ScopedEventAnalyticsQuery = EventAnalyticsQuery & { organizationIds: string[] | 'all' };

/** `GET /analytics/events`: events per hour, day, week or month, from the `event_counts` read model. */
export const eventAnalyticsQuery: QueryHandler<ScopedEventAnalyticsQuery, EventAnalytics> = {
  // `.v2`: counted per organization; entries of the platform-wide counts are never read again.
  type: 'event-analytics.v2',
  projections: [PROJECTIONS.eventCounts],
  cache: { ttlSeconds: 60, tags: () => [cacheTags.projection(PROJECTIONS.eventCounts)] },
  async handle(params, { readDb }) {
    const interval = params.interval ?? 'day';
    const buckets = await readEventBuckets(readDb, {
      types: params.type,
      organizationIds: params.organizationIds === 'all' ? undefined : params.organizationIds,
      from: new Date(params.from),
      to: new Date(params.to),
      interval,
    });
    return { interval, buckets };
  },
};
