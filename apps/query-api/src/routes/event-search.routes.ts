import { EventPage, EventSearchQuery, ReadYourWritesHeaders } from '@gyroscops/contracts';
import { authenticatedProblems, requireOrganization, type HttpApp } from '@gyroscops/platform';
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
        description:
          'Follow `nextCursor` until it is null; a cursor only works with the filters it came from (400 otherwise). ' +
          "`organizationId` must be one of the token's organizations (403 otherwise); without it, events of all of them.",
        querystring: EventSearchQuery,
        headers: ReadYourWritesHeaders,
        response: {
          200: { ...EventPage, description: 'A page of events in global order, with the cursor of the next one' },
          ...authenticatedProblems(400, 403),
        },
      },
    },
    async (request, reply) => {
      const params = eventSearchParams(request.query);
      // One named organization must be the caller's (403); otherwise the search covers all of the caller's.
      if (params.filter.organizationId !== undefined) requireOrganization(request, params.filter.organizationId);
      else params.filter.organizationIds = [...new Set(request.caller.organizations)].sort();
      return deps.bus.execute(eventSearchQuery, params, request, reply);
    },
  );
}
