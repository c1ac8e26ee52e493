import { sql, type RawBuilder } from 'kysely';
import { prepareAs } from '@gyroscops/platform';
import { POSITIONS_PER_TRANSACTION, metadataString, normalizeEventId, organizationOfAppend } from './append-request';
import type { AppendRequest } from './recorded-event';
import type { EventStoreDb } from './tables';

/** What the append statement did: null when it claimed no versions (a conflict or a type mismatch). */
export type AppendStatementOutcome = { versionBefore: number; firstPosition: bigint; lastPosition: bigint } | null;

/** This transaction's block of positions: xid × 1,000,000 (see read-all.ts). */
const block = sql`pg_current_xact_id()::text::bigint * ${sql.lit(POSITIONS_PER_TRANSACTION)}`;

/**
 * How many positions of this transaction's block earlier statements of the same transaction took,
 * so that indices continue across streams: a primary-key range probe. A statement's sub-statements
 * share one snapshot, so it never sees the rows the statement itself inserts.
 */
const positionsUsedEarlier = sql`(SELECT coalesce(max(position) - ${block}, 0) FROM events
                                   WHERE position > ${block} AND position < ${block} + ${sql.lit(POSITIONS_PER_TRANSACTION)})`;

/**
 * Moves the stream's version forward by the number of events if it is where the caller expects, of
 * the same type and owned by the organization the events act for (events naming none are neutral),
 * returning the version before; no row otherwise. A new stream belongs to the organization of its
 * first append for good, so one stream id can never hold two organizations' events. Its row lock
 * serializes the writers of one stream until commit. Under read committed a writer that waited for
 * the lock re-checks the WHERE on the winner's committed row (or, for an insert, sees its key) and so
 * claims nothing: the conflict is reported, never a serialization error.
 */
function claimVersions(request: AppendRequest): RawBuilder<unknown> {
  const { streamId, streamType, expectedVersion } = request;
  const count = request.events.length;
  const organizationId = organizationOfAppend(request);
  if (expectedVersion === 'no_stream') {
    return sql`INSERT INTO streams (stream_id, stream_type, version, organization_id) VALUES (${streamId}, ${streamType}, ${count}::int, ${organizationId}::text)
               ON CONFLICT (stream_id) DO NOTHING
               RETURNING 0 AS version_before`;
  }
  if (expectedVersion === 'any') {
    return sql`INSERT INTO streams (stream_id, stream_type, version, organization_id) VALUES (${streamId}, ${streamType}, ${count}::int, ${organizationId}::text)
               ON CONFLICT (stream_id) DO UPDATE SET version = streams.version + excluded.version, updated_at = now()
                 WHERE streams.stream_type = excluded.stream_type
                   AND (excluded.organization_id IS NULL OR streams.organization_id = excluded.organization_id)
               RETURNING version - ${count}::int AS version_before`;
  }
  return sql`UPDATE streams SET version = version + ${count}::int, updated_at = now()
             WHERE stream_id = ${streamId} AND version = ${expectedVersion}::int AND stream_type = ${streamType}
               AND (${organizationId}::text IS NULL OR organization_id = ${organizationId}::text)
             RETURNING version - ${count}::int AS version_before`;
}

/** One prepared statement per shape: its text depends only on the expected-version kind and the block. */
function statementName(request: AppendRequest, continueBlock: boolean): RawBuilder<unknown> {
  const kind =
    request.expectedVersion === 'no_stream' || request.expectedVersion === 'any' ? request.expectedVersion : 'version';
  return prepareAs(`event_store_append_${kind}${continueBlock ? '_continued' : ''}`);
}

/**
 * The whole append as ONE statement: claim the versions, then insert the events numbered from the
 * claimed version, only if the claim returned a row. Run on its own (autocommit) it is its own
 * transaction, atomic, in one round trip: no BEGIN/COMMIT, no separate version check. Arrays, not
 * one parameter per value (Postgres stops at 65,535 parameters); positions and versions come from
 * each row's ordinality.
 *
 * @param continueBlock true inside a caller's transaction that may have appended before: positions
 *   then continue after the ones already used in this transaction's block.
 */
export async function runAppendStatement(
  db: EventStoreDb,
  request: AppendRequest,
  continueBlock: boolean,
): Promise<AppendStatementOutcome> {
  const { events } = request;
  const used = continueBlock ? positionsUsedEarlier : sql`0`;
  const { rows } = await sql<{
    version_before: number | null;
    first_position: string | null;
    last_position: string | null;
  }>`${statementName(request, continueBlock)}
    WITH claimed AS (${claimVersions(request)}),
    appended AS (
      INSERT INTO events (position, transaction_id, stream_id, stream_type, stream_version, event_id, type, schema_version,
                          data, metadata, correlation_id, organization_id)
      SELECT ${block} + ${used}::bigint + e.n, pg_current_xact_id(), ${request.streamId}::text, ${request.streamType}::text,
             claimed.version_before + e.n::int,
             e.event_id, e.type, e.schema_version, e.data, e.metadata, e.correlation_id, e.organization_id
      FROM claimed,
           unnest(
             ${events.map((event) => normalizeEventId(event.eventId))}::uuid[],
             ${events.map((event) => event.type)}::text[],
             ${events.map((event) => event.schemaVersion ?? 1)}::int[],
             ${events.map((event) => JSON.stringify(event.data))}::jsonb[],
             ${events.map((event) => JSON.stringify(event.metadata))}::jsonb[],
             ${events.map((event) => metadataString(event.metadata, 'correlationId'))}::text[],
             ${events.map((event) => metadataString(event.metadata, 'organizationId'))}::text[]
           ) WITH ORDINALITY AS e(event_id, type, schema_version, data, metadata, correlation_id, organization_id, n)
      RETURNING position
    )
    SELECT (SELECT version_before FROM claimed) AS version_before,
           (SELECT min(position) FROM appended)::text AS first_position,
           (SELECT max(position) FROM appended)::text AS last_position`.execute(db);
  const row = rows[0];
  if (!row || row.version_before === null || row.first_position === null || row.last_position === null) return null;
  return {
    versionBefore: row.version_before,
    firstPosition: BigInt(row.first_position),
    lastPosition: BigInt(row.last_position),
  };
}
