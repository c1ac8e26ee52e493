import { sql } from 'kysely';
import {
  MAX_EVENTS_PER_TRANSACTION,
  POSITIONS_PER_TRANSACTION,
  assertValidAppendRequest,
  metadataString,
  normalizeEventId,
} from './append-request';
import { EventIdsPartiallyStoredError, InvalidAppendError, StreamTypeMismatchError, StreamVersionConflictError } from './errors';
import type { AppendRequest, AppendResult } from './recorded-event';
import type { EventStoreDb } from './tables';

const isUniqueViolation = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';

/**
 * Appends events to one stream in one transaction, after checking the stream's version.
 *
 * Idempotent by event id: when every event id of the request is stored already on this stream, it
 * writes nothing and returns the original result with `alreadyAppended: true`, also when the first
 * attempt is still running concurrently. That makes a Temporal activity retried after a crash a no-op.
 *
 * @throws StreamVersionConflictError when the stream is not at `expectedVersion`
 * @throws EventIdsPartiallyStoredError when only some of the event ids are stored
 * @throws InvalidAppendError, StreamTypeMismatchError
 */
export async function appendToStream(db: EventStoreDb, request: AppendRequest): Promise<AppendResult> {
  assertValidAppendRequest(request);
  try {
    // Read committed on purpose: a writer blocked on the streams row must see the winner's commit
    // and report a conflict, where repeatable read would fail with a serialization error instead.
    return await db
      .transaction()
      .setIsolationLevel('read committed')
      .execute((trx) => appendInTransaction(trx, request));
  } catch (error) {
    if (!(error instanceof StreamVersionConflictError) && !isUniqueViolation(error)) throw error;
    // The writer we lost to may have been a copy of this very append (a retried activity whose first
    // attempt was still running). Its rows are committed by now: look again, outside the aborted transaction.
    const original = await findAppended(db, request);
    if (original) return original;
    throw error;
  }
}

/**
 * The append without its own transaction, for callers that own one (several streams in one
 * transaction keep contiguous positions). Unlike appendToStream it cannot recognise a concurrent
 * duplicate after a conflict or a unique violation: the transaction is aborted by then.
 */
export async function appendInTransaction(trx: EventStoreDb, request: AppendRequest): Promise<AppendResult> {
  assertValidAppendRequest(request);
  const stored = await findAppended(trx, request);
  if (stored) return stored;

  const count = request.events.length;
  const versionBefore = await claimVersions(trx, request, count);
  const usedInTransaction = await positionsUsedInTransaction(trx);
  if (usedInTransaction + count > MAX_EVENTS_PER_TRANSACTION) {
    throw new InvalidAppendError(
      `a transaction holds at most ${MAX_EVENTS_PER_TRANSACTION} events: it has ${usedInTransaction}, ` +
        `the append to '${request.streamId}' adds ${count}`,
    );
  }

  const block = sql`pg_current_xact_id()::text::bigint * ${sql.lit(POSITIONS_PER_TRANSACTION)}`;
  const { events } = request;
  // One statement whatever the number of events: arrays, not one parameter per value (Postgres
  // stops at 65,535 parameters), and positions and versions numbered by the row's ordinality.
  const rows = await trx
    .insertInto('events')
    .columns([
      'position',
      'transaction_id',
      'stream_id',
      'stream_type',
      'stream_version',
      'event_id',
      'type',
      'schema_version',
      'data',
      'metadata',
      'correlation_id',
      'organization_id',
    ])
    .expression(
      sql`SELECT ${block} + ${usedInTransaction}::bigint + e.n,
                 pg_current_xact_id(),
                 ${request.streamId}::text,
                 ${request.streamType}::text,
                 ${versionBefore}::int + e.n::int,
                 e.event_id, e.type, e.schema_version, e.data, e.metadata, e.correlation_id, e.organization_id
          FROM unnest(
                 ${events.map((event) => normalizeEventId(event.eventId))}::uuid[],
                 ${events.map((event) => event.type)}::text[],
                 ${events.map((event) => event.schemaVersion ?? 1)}::int[],
                 ${events.map((event) => JSON.stringify(event.data))}::jsonb[],
                 ${events.map((event) => JSON.stringify(event.metadata))}::jsonb[],
                 ${events.map((event) => metadataString(event.metadata, 'correlationId'))}::text[],
                 ${events.map((event) => metadataString(event.metadata, 'organizationId'))}::text[]
               ) WITH ORDINALITY AS e(event_id, type, schema_version, data, metadata, correlation_id, organization_id, n)`,
    )
    .returning(['position'])
    .execute();

  const positions = rows.map((row) => BigInt(row.position));
  return {
    streamId: request.streamId,
    nextVersion: versionBefore + count,
    firstPosition: positions.reduce((min, p) => (p < min ? p : min)),
    lastPosition: positions.reduce((max, p) => (p > max ? p : max)),
    alreadyAppended: false,
  };
}

/**
 * The result of an earlier append of exactly these event ids to this stream, or null when none of
 * them is stored.
 */
async function findAppended(db: EventStoreDb, request: AppendRequest): Promise<AppendResult | null> {
  const ids = request.events.map((event) => normalizeEventId(event.eventId));
  const stored = await db
    .selectFrom('events')
    .select(['event_id', 'stream_id', 'stream_version', 'position'])
    .where('event_id', 'in', ids)
    .execute();
  if (stored.length === 0) return null;
  const complete = stored.length === ids.length && stored.every((row) => row.stream_id === request.streamId);
  if (!complete) {
    throw new EventIdsPartiallyStoredError(
      request.streamId,
      stored.map((row) => row.event_id),
      ids.length,
    );
  }
  const positions = stored.map((row) => BigInt(row.position));
  return {
    streamId: request.streamId,
    nextVersion: Math.max(...stored.map((row) => row.stream_version)),
    firstPosition: positions.reduce((min, p) => (p < min ? p : min)),
    lastPosition: positions.reduce((max, p) => (p > max ? p : max)),
    alreadyAppended: true,
  };
}

/**
 * Moves the stream's version forward by `count` if it is where the caller expects, and returns the
 * version before. The row lock it takes serializes the writers of one stream until commit; a writer
 * that waited re-reads the row (read committed) and so sees the winner's version.
 */
async function claimVersions(trx: EventStoreDb, request: AppendRequest, count: number): Promise<number> {
  const { streamId, streamType, expectedVersion } = request;
  if (expectedVersion === 'no_stream') {
    const created = await trx
      .insertInto('streams')
      .values({ stream_id: streamId, stream_type: streamType, version: count })
      .onConflict((oc) => oc.column('stream_id').doNothing())
      .returning('version')
      .executeTakeFirst();
    if (!created) throw new StreamVersionConflictError(streamId, expectedVersion, await currentVersion(trx, streamId));
    return 0;
  }
  if (expectedVersion === 'any') {
    const upserted = await trx
      .insertInto('streams')
      .values({ stream_id: streamId, stream_type: streamType, version: count })
      .onConflict((oc) =>
        oc.column('stream_id').doUpdateSet({ version: sql`streams.version + ${count}::int`, updated_at: sql`now()` }),
      )
      .returning(['version', 'stream_type'])
      .executeTakeFirstOrThrow();
    assertStreamType(request, upserted.stream_type);
    return upserted.version - count;
  }
  const updated = await trx
    .updateTable('streams')
    .set({ version: expectedVersion + count, updated_at: sql`now()` })
    .where('stream_id', '=', streamId)
    .where('version', '=', expectedVersion)
    .returning('stream_type')
    .executeTakeFirst();
  if (!updated) throw new StreamVersionConflictError(streamId, expectedVersion, await currentVersion(trx, streamId));
  assertStreamType(request, updated.stream_type);
  return expectedVersion;
}

function assertStreamType(request: AppendRequest, storedType: string): void {
  if (storedType !== request.streamType) throw new StreamTypeMismatchError(request.streamId, request.streamType, storedType);
}

async function currentVersion(trx: EventStoreDb, streamId: string): Promise<number> {
  const row = await trx.selectFrom('streams').select('version').where('stream_id', '=', streamId).executeTakeFirst();
  return row?.version ?? 0;
}

/**
 * How many positions of this transaction's block earlier appends in the same transaction took, so
 * that indices continue across streams. A primary-key range probe; also assigns the xid if needed.
 */
async function positionsUsedInTransaction(trx: EventStoreDb): Promise<number> {
  const { rows } = await sql<{ used: number }>`
    SELECT coalesce(max(position) - pg_current_xact_id()::text::bigint * ${sql.lit(POSITIONS_PER_TRANSACTION)}, 0)::int AS used
    FROM events
    WHERE position > pg_current_xact_id()::text::bigint * ${sql.lit(POSITIONS_PER_TRANSACTION)}
      AND position < (pg_current_xact_id()::text::bigint + 1) * ${sql.lit(POSITIONS_PER_TRANSACTION)}`.execute(trx);
  return rows[0]?.used ?? 0;
}
