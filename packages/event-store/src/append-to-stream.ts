import {
  MAX_EVENTS_PER_TRANSACTION,
  assertValidAppendRequest,
  normalizeEventId,
  organizationOfAppend,
} from './append-request';
import { runAppendStatement, type AppendStatementOutcome } from './append-statement';
import {
  EventIdsPartiallyStoredError,
  InvalidAppendError,
  StreamOwnershipError,
  StreamTypeMismatchError,
  StreamVersionConflictError,
} from './errors';
import { traceAppend } from './append-tracing';
import type { AppendRequest, AppendResult } from './recorded-event';
import type { EventStoreDb } from './tables';

const isUniqueViolation = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';

/** The check that keeps a position inside its transaction's block: more events than a block holds. */
const isBlockOverflow = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  (error as { code?: unknown }).code === '23514' &&
  (error as { constraint?: unknown }).constraint === 'events_position_in_transaction_block';

/**
 * Appends events to one stream, atomically, after checking the stream's version.
 *
 * One statement, one round trip (see append-statement.ts): it runs outside any explicit
 * transaction, so it is its own. That relies on the session's default isolation, read committed
 * (Postgres' default): a writer blocked on the stream's row then sees the winner's commit and claims
 * nothing, a conflict, where repeatable read would fail with a serialization error instead.
 *
 * Idempotent by event id: when every event id of the request is stored already on this stream, it
 * writes nothing and returns the original result with `alreadyAppended: true`, also when the first
 * attempt was still running concurrently. A repeated append always collides (its stream version
 * moved, or its ids are taken), so the stored ids are looked up only then, not before every append.
 * That makes a Temporal activity retried after a crash a no-op.
 *
 * @throws StreamVersionConflictError when the stream is not at `expectedVersion` ('no_stream' included:
 *   creating a stream that exists is a conflict, whoever owns it)
 * @throws StreamOwnershipError when the stream belongs to another organization than the events name
 * @throws EventIdsPartiallyStoredError when only some of the event ids are stored
 * @throws InvalidAppendError, StreamTypeMismatchError
 */
export async function appendToStream(db: EventStoreDb, request: AppendRequest): Promise<AppendResult> {
  return traceAppend(request, (traced) => appendUntraced(db, traced));
}

async function appendUntraced(db: EventStoreDb, request: AppendRequest): Promise<AppendResult> {
  assertValidAppendRequest(request);
  let claimed: AppendStatementOutcome;
  try {
    claimed = await runAppendStatement(db, request, false);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // An event id is taken: this very append done before ('any' claims the versions anyway), or a bug.
    const original = await findAppended(db, request);
    if (original) return original;
    throw error;
  }
  if (claimed) return resultOf(request, claimed);
  // The writer we lost to may have been a copy of this very append (a retried activity whose first
  // attempt was still running): its rows are committed by now.
  const original = await findAppended(db, request);
  if (original) return original;
  throw await refusalOf(db, request);
}

/**
 * The append inside a transaction the caller owns (several streams in one transaction keep
 * contiguous positions). Unlike appendToStream it cannot look for a concurrent duplicate after a
 * conflict or a unique violation, since the transaction is aborted by then: it looks for stored ids first.
 */
export async function appendInTransaction(trx: EventStoreDb, request: AppendRequest): Promise<AppendResult> {
  assertValidAppendRequest(request);
  const stored = await findAppended(trx, request);
  if (stored) return stored;
  let claimed: AppendStatementOutcome;
  try {
    claimed = await runAppendStatement(trx, request, true);
  } catch (error) {
    if (isBlockOverflow(error)) {
      throw new InvalidAppendError(
        `a transaction holds at most ${MAX_EVENTS_PER_TRANSACTION} events: the append of ${request.events.length} to '${request.streamId}' does not fit`,
      );
    }
    throw error;
  }
  if (claimed) return resultOf(request, claimed);
  throw await refusalOf(trx, request);
}

function resultOf(request: AppendRequest, claimed: NonNullable<AppendStatementOutcome>): AppendResult {
  return {
    streamId: request.streamId,
    nextVersion: claimed.versionBefore + request.events.length,
    firstPosition: claimed.firstPosition,
    lastPosition: claimed.lastPosition,
    alreadyAppended: false,
  };
}

/** Why an append claimed no versions, read after the fact: another stream type, another owner, or another version. */
async function refusalOf(db: EventStoreDb, request: AppendRequest): Promise<Error> {
  const stream = await db
    .selectFrom('streams')
    .select(['version', 'stream_type', 'organization_id'])
    .where('stream_id', '=', request.streamId)
    .executeTakeFirst();
  // 'no_stream' conflicts with any existing stream, whatever its type or owner: a creation tells nothing more.
  if (stream && request.expectedVersion !== 'no_stream') {
    if (stream.stream_type !== request.streamType)
      return new StreamTypeMismatchError(request.streamId, request.streamType, stream.stream_type);
    const organizationId = organizationOfAppend(request);
    if (organizationId !== null && stream.organization_id !== organizationId)
      return new StreamOwnershipError(request.streamId, organizationId);
  }
  return new StreamVersionConflictError(request.streamId, request.expectedVersion, stream?.version ?? 0);
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
