import type { EventStoreDb } from './tables';
import { assertLimit } from './read-all';
import { recordedEventColumns, toRecordedEvent, type RecordedEvent } from './recorded-event';

export interface ReadStreamOptions {
  /** First version to return (inclusive; versions start at 1). */
  fromVersion?: number;
  /** Last version to return (inclusive). */
  toVersion?: number;
  /** Only events recorded at or before this instant: the stream as it was then. */
  recordedUpTo?: Date;
  limit?: number;
}

/**
 * One stream's events in version order, to rebuild its state. Returns [] for a stream that does not
 * exist; the last event's streamVersion is the expected version for the next append.
 */
export async function readStream(
  db: EventStoreDb,
  streamId: string,
  options: ReadStreamOptions = {},
): Promise<RecordedEvent[]> {
  if (options.limit !== undefined) assertLimit(options.limit);
  const { fromVersion, toVersion, recordedUpTo, limit } = options;
  const rows = await db
    .selectFrom('events')
    .select(recordedEventColumns)
    .where('stream_id', '=', streamId)
    .$if(fromVersion !== undefined, (qb) => qb.where('stream_version', '>=', fromVersion ?? 1))
    .$if(toVersion !== undefined, (qb) => qb.where('stream_version', '<=', toVersion ?? 0))
    .$if(recordedUpTo !== undefined, (qb) => qb.where('recorded_at', '<=', recordedUpTo ?? new Date(0)))
    .orderBy('stream_version')
    .$if(limit !== undefined, (qb) => qb.limit(limit ?? 0))
    .execute();
  return rows.map(toRecordedEvent);
}
