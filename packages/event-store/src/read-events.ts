import type { EventStoreDb } from './tables';
import { assertLimit } from './read-all';
import { recordedEventColumns, toRecordedEvent, type RecordedEvent } from './recorded-event';

export interface ReadEventsFilter {
  types?: readonly string[];
  streamType?: string;
  organizationId?: string;
  /** Only events of these organizations (an empty list matches nothing). */
  organizationIds?: readonly string[];
  /** recorded_at >= from */
  from?: Date;
  /** recorded_at < to (half-open, so consecutive ranges neither overlap nor leave a gap) */
  to?: Date;
  /** Keyset cursor: the position of the last event of the previous page. */
  after?: bigint;
  limit: number;
  /** Position order; 'desc' pages from the newest back, `after` then meaning "before". */
  order?: 'asc' | 'desc';
}

/**
 * Events matching a filter, one keyset page at a time, for history screens and reports. Pages never
 * repeat or skip an event committed before the first page was read. This is not a subscription: an
 * event committing later may land behind the cursor, so projections read with readAll instead.
 */
export async function readEvents(db: EventStoreDb, filter: ReadEventsFilter): Promise<RecordedEvent[]> {
  assertLimit(filter.limit);
  if (filter.types?.length === 0 || filter.organizationIds?.length === 0) return [];
  const order = filter.order ?? 'asc';
  const { types, streamType, organizationId, organizationIds, from, to, after } = filter;
  const rows = await db
    .selectFrom('events')
    .select(recordedEventColumns)
    .$if(types !== undefined, (qb) => qb.where('type', 'in', types ?? []))
    .$if(streamType !== undefined, (qb) => qb.where('stream_type', '=', streamType ?? ''))
    .$if(organizationId !== undefined, (qb) => qb.where('organization_id', '=', organizationId ?? ''))
    .$if(organizationIds !== undefined, (qb) => qb.where('organization_id', 'in', organizationIds ?? []))
    .$if(from !== undefined, (qb) => qb.where('recorded_at', '>=', from ?? new Date(0)))
    .$if(to !== undefined, (qb) => qb.where('recorded_at', '<', to ?? new Date(0)))
    .$if(after !== undefined, (qb) => qb.where('position', order === 'asc' ? '>' : '<', String(after)))
    .orderBy('position', order)
    .limit(filter.limit)
    .execute();
  return rows.map(toRecordedEvent);
}

/**
 * Everything that happened because of one request or workflow, in global order (metadata.correlationId
 * as stored at append time). Limited to 1,000 events unless told otherwise.
 */
export async function readByCorrelationId(
  db: EventStoreDb,
  correlationId: string,
  options: { limit?: number } = {},
): Promise<RecordedEvent[]> {
  const limit = options.limit ?? 1_000;
  assertLimit(limit);
  const rows = await db
    .selectFrom('events')
    .select(recordedEventColumns)
    .where('correlation_id', '=', correlationId)
    .orderBy('position')
    .limit(limit)
    .execute();
  return rows.map(toRecordedEvent);
}
