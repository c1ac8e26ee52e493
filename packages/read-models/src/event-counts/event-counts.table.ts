import type { ColumnType } from 'kysely';

/** Events recorded per organization, type and hour: the source of GET /analytics/events. */
export interface EventCountsTable {
  /** The organization the event acted for (its metadata's organizationId); '' for an event naming none. */
  organization_id: string;
  type: string;
  hour: ColumnType<Date, Date | string, Date | string>;
  count: ColumnType<string, string | bigint, string | bigint>;
}

export interface EventCountsTables {
  event_counts: EventCountsTable;
}
