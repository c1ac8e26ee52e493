import { EventPage, EventSearchQuery, ReadYourWritesHeaders } from '@gyroscops/contracts';
import { problemResponses, type HttpApp } from '@gyroscops/platform';
import type { QueryBus } from '../query-bus/query-handler';
import { eventSearchParams, eventSearchQuery } from '../queries/event-search.query';

/** `GET /events`: event search in global order, with keyset pages. */
export function registerEventSearchRoutes(app: HttpApp, deps: { bus: QueryBus }): void {
  app.get(
    '/events',
    {
      schema: {
        tags: ['events'],
        operationId: 'searchEvents',
        summary: 'Events by type, stream type, organization and time, in global order, page by page',
        description: 'Follow `nextCursor` until it is null; a cursor only works with the filters it came from (400 otherwise).',
        querystring: EventSearchQuery,
        headers: ReadYourWritesHeaders,
        response: { 200: EventPage, ...problemResponses(400, 500) },
      },
    },
    async (request, reply) => deps.bus.execute(eventSearchQuery, eventSearchParams(request.query), request, reply),
  );
}
