import { TIMELINE_MAX_EVENTS, type Timeline } from '@gyroscops/contracts';
import { readByCorrelationId } from '@gyroscops/event-store';
import type { QueryHandler } from '../query-bus/query-handler';
import { toTimelineEventBody } from './stored-event-body';

/**
 * `GET /timeline/{correlationId}`: every event a request (and the workflows it started) caused, in
 * global order, each with the workflow execution that appended it. An unknown id has an empty
 * timeline (200): its events may simply not be written yet. Not cached: one indexed read.
 */
export const timelineQuery: QueryHandler<{ correlationId: string; organizations: string[] }, Timeline> = {
  type: 'timeline',
  projections: [],
  async handle({ correlationId, organizations }, { eventStore }) {
    // Only the caller's organizations' events: a correlation id may be shared or guessed.
    const all = await readByCorrelationId(eventStore, correlationId, { limit: TIMELINE_MAX_EVENTS + 1 });
    const events = all.filter((event) => organizations.includes(event.metadata.organizationId as string));
    return {
      correlationId,
      items: events.slice(0, TIMELINE_MAX_EVENTS).map(toTimelineEventBody),
      truncated: events.length > TIMELINE_MAX_EVENTS,
    };
  },
};
