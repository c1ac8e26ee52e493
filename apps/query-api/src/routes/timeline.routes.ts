import { CorrelationIdParams, ReadYourWritesHeaders, Timeline } from '@gyroscops/contracts';
import { authenticatedProblems, type HttpApp } from '@gyroscops/platform';
import type { QueryBus } from '../query-bus/query-handler';
import { timelineQuery } from '../queries/timeline.query';

/** `GET /timeline/{correlationId}`: what one request caused, across streams and workflows. */
export function registerTimelineRoutes(app: HttpApp, deps: { bus: QueryBus }): void {
  app.get(
    '/timeline/:correlationId',
    {
      schema: {
        tags: ['events'],
        operationId: 'getTimeline',
        summary:
          "Every event carrying a correlation id (X-Correlation-Id of a command), in global order, among the caller's organizations",
        params: CorrelationIdParams,
        headers: ReadYourWritesHeaders,
        response: {
          200: { ...Timeline, description: 'The events carrying the correlation id, in global order' },
          ...authenticatedProblems(400),
        },
      },
    },
    async (request, reply) =>
      deps.bus.execute(
        timelineQuery,
        {
          correlationId: request.params.correlationId,
          organizations: [...new Set(request.caller.organizations)].sort(),
        },
        request,
        reply,
      ),
  );
}
