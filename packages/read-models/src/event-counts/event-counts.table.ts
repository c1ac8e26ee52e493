import type { ColumnType } from 'kysely';

/** Events recorded per type and hour: the source of GET /analytics/events. */
export interface EventCountsTable {
  type: string;
  hour: ColumnType<Date, Date | string, Date | string>;
  count: ColumnType<string, string | bigint, string | bigint>;
}

export interface EventCountsTables {
  event_counts: EventCountsTable;
}
