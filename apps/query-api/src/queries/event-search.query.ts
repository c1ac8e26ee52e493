import { EVENT_SEARCH_DEFAULT_LIMIT, type EventPage, type EventSearchQuery } from '@gyroscops/contracts';
import { readEvents } from '@gyroscops/event-store';
import { ApplicationError } from '@gyroscops/platform';
import { decodeCursor, encodeCursor, queryFingerprint } from '../cursor';
import type { QueryHandler } from '../query-bus/query-handler';
import { toStoredEventBody } from './stored-event-body';

const CURSOR_KIND = 'events';

/** Canonical event filters: equal searches are equal values (one cursor fingerprint). */
export interface EventFilter {
  types?: string[];
  streamType?: string;
  organizationId?: string;
  /** The caller's organizations when no organizationId is named (set by the route, not part of the cursor fingerprint). */
  organizationIds?: string[];
  /** Inclusive, ISO. */
  from?: string;
  /** Exclusive, ISO. */
  to?: string;
}

export interface EventSearchParams {
  filter: EventFilter;
  limit: number;
  /** Position (decimal string) of the previous page's last event; null for the first page. */
  after: string | null;
}

/** The filter as its cursor fingerprint sees it: the caller's organization scope is re-applied on every page. */
function fingerprintFilter(filter: EventFilter): EventFilter {
  const { organizationIds: _scope, ...rest } = filter;
  return rest;
}

/** Turns `GET /events`'s query string into search parameters; 400 for a reversed range or a cursor of another query. */
export function eventSearchParams(query: EventSearchQuery): EventSearchParams {
  const filter: EventFilter = {};
  if (query.type !== undefined) filter.types = [...new Set(query.type)].sort();
  if (query.streamType !== undefined) filter.streamType = query.streamType;
  if (query.organizationId !== undefined) filter.organizationId = query.organizationId;
  if (query.from !== undefined) filter.from = new Date(query.from).toISOString();
  if (query.to !== undefined) filter.to = new Date(query.to).toISOString();
  if (filter.from !== undefined && filter.to !== undefined && filter.from > filter.to) {
    throw new ApplicationError('VALIDATION', 'to must not be before from', [
      { path: 'querystring:/to', message: 'must not be before from' },
    ]);
  }
  let after: string | null = null;
  if (query.cursor !== undefined) {
    [after = null] = decodeCursor(query.cursor, CURSOR_KIND, queryFingerprint(CURSOR_KIND, filter), ['position']);
  }
  return { filter, limit: query.limit ?? EVENT_SEARCH_DEFAULT_LIMIT, after };
}

/**
 * `GET /events`: events by type, stream type, organization and recording time, in global order, one
 * keyset page (position > cursor) at a time. A walk never repeats or skips an event committed before
 * it began. Not cached: one indexed read of the event store, and no projection batch could tell
 * when an arbitrary event filter goes stale.
 */
export const eventSearchQuery: QueryHandler<EventSearchParams, EventPage> = {
  type: 'event-search',
  projections: [],
  async handle({ filter, limit, after }, { eventStore }) {
    const events = await readEvents(eventStore, {
      types: filter.types,
      streamType: filter.streamType,
      organizationId: filter.organizationId,
      organizationIds: filter.organizationIds,
      from: filter.from === undefined ? undefined : new Date(filter.from),
      to: filter.to === undefined ? undefined : new Date(filter.to),
      after: after === null ? undefined : BigInt(after),
      // One more than asked tells whether another page exists.
      limit: limit + 1,
      order: 'asc',
    });
    const page = events.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toStoredEventBody),
      nextCursor:
        events.length > limit && last
          ? encodeCursor(CURSOR_KIND, queryFingerprint(CURSOR_KIND, fingerprintFilter(filter)), [
              last.position.toString(),
            ])
          : null,
    };
  },
};
