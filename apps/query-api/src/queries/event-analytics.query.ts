import { cacheTags, PROJECTIONS, type EventAnalytics, type EventAnalyticsQuery } from '@gyroscops/contracts';
import { readEventBuckets } from '@gyroscops/read-models';
import type { QueryHandler } from '../query-bus/query-handler';

/** `GET /analytics/events`: events per hour, day, week or month, from the `event_counts` read model. */
export const eventAnalyticsQuery: QueryHandler<EventAnalyticsQuery, EventAnalytics> = {
  type: 'event-analytics',
  projections: [PROJECTIONS.eventCounts],
  cache: { ttlSeconds: 60, tags: () => [cacheTags.projection(PROJECTIONS.eventCounts)] },
  async handle(params, { readDb }) {
    const interval = params.interval ?? 'day';
    const buckets = await readEventBuckets(readDb, {
      types: params.type,
      from: new Date(params.from),
      to: new Date(params.to),
      interval,
    });
    return { interval, buckets };
  },
};
