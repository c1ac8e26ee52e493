import type { ColumnType, Generated, Insertable, Kysely, Selectable } from 'kysely';

/**
 * One row per stream: its version is the optimistic-concurrency token. Writers of one stream
 * serialize on this row's lock, so `events` itself never needs a lock.
 */
export interface StreamsTable {
  stream_id: string;
  stream_type: string;
  version: number;
  /**
   * The organization the stream belongs to, set when it is created (null: an organization-less
   * stream): an append acting for another organization is refused (see append-statement.ts).
   */
  organization_id: ColumnType<string | null, string | null | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/**
 * The append-only log. `position` and `transaction_id` are computed in SQL from
 * pg_current_xact_id() (see append-to-stream.ts), so they are never written from TypeScript values.
 * pg returns int8 and xid8 as strings.
 */
export interface EventsTable {
  position: ColumnType<string, never, never>;
  transaction_id: ColumnType<string, never, never>;
  stream_id: ColumnType<string, string, never>;
  stream_type: ColumnType<string, string, never>;
  stream_version: ColumnType<number, number, never>;
  event_id: ColumnType<string, string, never>;
  type: ColumnType<string, string, never>;
  schema_version: ColumnType<number, number | undefined, never>;
  // pg parses jsonb on the way out; we send JSON text on the way in.
  data: ColumnType<Record<string, unknown>, string, never>;
  metadata: ColumnType<Record<string, unknown>, string, never>;
  correlation_id: ColumnType<string | null, string | null | undefined, never>;
  organization_id: ColumnType<string | null, string | null | undefined, never>;
  recorded_at: ColumnType<Date, Date | string | undefined, never>;
}

/** One stream moved by repairStreamIds (see repair-stream-ids.ts): the evidence of an in-place rewrite. */
export interface StreamIdRepairsTable {
  id: Generated<string>;
  action: 'renamed' | 'rekeyed';
  stream_id_before: string;
  stream_id_after: string;
  stream_type: string;
  organization_id: string | null;
  event_ids: string[];
  reason: string;
  repaired_at: ColumnType<Date, Date | string | undefined, never>;
}

/** A usage record id accepted for an organization, for ever (see usage-record-claims.ts). */
export interface UsageRecordClaimsTable {
  organization_id: string;
  record_id: string;
  stream_id: string;
  /** The global position of the append that accepted the record; int8 comes back as a string. */
  position: ColumnType<string, string, never>;
}

/** The latest folded state of a stream (see stream-snapshots.ts). */
export interface StreamSnapshotsTable {
  stream_id: string;
  version: number;
  schema_version: number;
  state: ColumnType<unknown, string, string>;
  taken_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** The tables this package owns. Other packages may keep their own tables in the same database. */
export interface EventStoreTables {
  streams: StreamsTable;
  events: EventsTable;
  stream_id_repairs: StreamIdRepairsTable;
  usage_record_claims: UsageRecordClaimsTable;
  stream_snapshots: StreamSnapshotsTable;
}

export type StreamRow = Selectable<StreamsTable>;
export type NewStreamRow = Insertable<StreamsTable>;
export type EventRow = Selectable<EventsTable>;
export type NewEventRow = Insertable<EventsTable>;

/** A Kysely instance (or transaction) on the event store database. */
export type EventStoreDb = Kysely<EventStoreTables>;
