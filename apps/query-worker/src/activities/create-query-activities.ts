import { sql } from 'kysely';
import type { EventStoreDb } from '@gyroscops/event-store';

export interface QueryActivityDependencies {
  eventStore: EventStoreDb;
}

export interface EventTypeCount {
  type: string;
  count: number;
}

/** Activities of the query workflows: heavy, read-only work against the stores. */
export function createQueryActivities(deps: QueryActivityDependencies) {
  return {
    /** Events per type recorded in [from, to): a full range scan, hence a workflow and not a request. */
    async countEventsByType(input: { from: string; to: string }): Promise<EventTypeCount[]> {
      const rows = await deps.eventStore
        .selectFrom('events')
        .select(['type', sql<string>`count(*)`.as('count')])
        .where('recorded_at', '>=', new Date(input.from))
        .where('recorded_at', '<', new Date(input.to))
        .groupBy('type')
        .orderBy('type')
        .execute();
      return rows.map((row) => ({ type: row.type, count: Number(row.count) }));
    },
  };
}

export type QueryActivities = ReturnType<typeof createQueryActivities>;
