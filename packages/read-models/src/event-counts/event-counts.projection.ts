import { sql, type Transaction } from 'kysely';
import { PAYMENT_EVENT_TYPES } from '@gyroscops/domain';
import type { RecordedEvent } from '@gyroscops/event-store';
import { NO_CHANGES, type Projection, type ProjectionChanges } from '@gyroscops/projections';
import type { EventCountsTables } from './event-counts.table';

export const EVENT_COUNTS_PROJECTION = 'event_counts';

const hourOf = (date: Date) => {
  const hour = new Date(date);
  hour.setUTCMinutes(0, 0, 0);
  return hour.toISOString();
};

/** The organization an event acted for, as the event store records it; '' when it names none. */
const organizationOf = (event: RecordedEvent): string => {
  const organizationId = event.metadata.organizationId;
  return typeof organizationId === 'string' ? organizationId : '';
};

/** `event_counts`: how many events of each type were recorded in each hour, per organization. */
export const eventCountsProjection: Projection<EventCountsTables> = {
  name: EVENT_COUNTS_PROJECTION,
  // 2: counted per organization (rebuilt at the worker's start from version 1's rows).
  version: 2,
  eventTypes: PAYMENT_EVENT_TYPES,
  tables: ['event_counts'],
  poisonPolicy: 'park',
  async apply(events: RecordedEvent[], trx: Transaction<EventCountsTables>): Promise<ProjectionChanges> {
    const counts = new Map<string, { organizationId: string; type: string; hour: string; count: number }>();
    for (const event of events) {
      const hour = hourOf(event.recordedAt);
      const organizationId = organizationOf(event);
      const key = `${organizationId}\u0000${event.type}\u0000${hour}`;
      const entry = counts.get(key) ?? { organizationId, type: event.type, hour, count: 0 };
      entry.count += 1;
      counts.set(key, entry);
    }
    await trx
      .insertInto('event_counts')
      .values(
        [...counts.values()].map((entry) => ({
          organization_id: entry.organizationId,
          type: entry.type,
          hour: entry.hour,
          count: String(entry.count),
        })),
      )
      .onConflict((conflict) =>
        conflict
          .columns(['organization_id', 'type', 'hour'])
          .doUpdateSet({ count: sql`event_counts.count + excluded.count` }),
      )
      .execute();
    return NO_CHANGES;
  },
};
