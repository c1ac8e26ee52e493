import type { EventRow } from './tables';

/** number: the version the stream must be at now (>= 1); 'no_stream': it must not exist; 'any': no check. */
export type ExpectedVersion = number | 'no_stream' | 'any';

/** An event to append. `eventId` is a UUID the caller derives from the command id, so a retry reuses it. */
export interface NewEvent {
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  /** Defaults to 1. */
  schemaVersion?: number;
}

export interface AppendRequest {
  streamId: string;
  streamType: string;
  expectedVersion: ExpectedVersion;
  events: NewEvent[];
}

export interface AppendResult {
  streamId: string;
  /** The stream's version after the append: the version of its last event. */
  nextVersion: number;
  firstPosition: bigint;
  lastPosition: bigint;
  /** true when every event id was already stored: nothing was written */
  alreadyAppended: boolean;
}

/** An event as stored. Positions are bigint: they exceed Number.MAX_SAFE_INTEGER once xids pass ~9 billion. */
export interface RecordedEvent {
  position: bigint;
  streamId: string;
  streamType: string;
  streamVersion: number;
  eventId: string;
  type: string;
  schemaVersion: number;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recordedAt: Date;
}

/** The columns a RecordedEvent is made of (transaction_id and the extracted ids stay inside). */
export const recordedEventColumns = [
  'position',
  'stream_id',
  'stream_type',
  'stream_version',
  'event_id',
  'type',
  'schema_version',
  'data',
  'metadata',
  'recorded_at',
] as const;

export type RecordedEventRow = Pick<EventRow, (typeof recordedEventColumns)[number]>;

/** Maps a row to the package's public shape, so no snake_case or int8 string leaves the package. */
export function toRecordedEvent(row: RecordedEventRow): RecordedEvent {
  return {
    position: BigInt(row.position),
    streamId: row.stream_id,
    streamType: row.stream_type,
    streamVersion: row.stream_version,
    eventId: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}
