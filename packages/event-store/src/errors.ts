import type { ExpectedVersion } from './recorded-event';

/** What went wrong in the event store, for the edge to map (409 for a conflict, 400 or 500 for the rest). */
export type EventStoreErrorCode =
  | 'STREAM_VERSION_CONFLICT'
  | 'EVENT_IDS_PARTIALLY_STORED'
  | 'STREAM_TYPE_MISMATCH'
  | 'STREAM_OWNED_BY_ANOTHER_ORGANIZATION'
  | 'USAGE_RECORDS_ALREADY_CLAIMED'
  | 'INVALID_APPEND';

/**
 * The stream was not at the expected version: another writer got there first. Retrying the same
 * command means loading the stream again and deciding again.
 */
export class StreamVersionConflictError extends Error {
  readonly code = 'STREAM_VERSION_CONFLICT';

  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    /** 0 when the stream does not exist. */
    readonly actual: number,
  ) {
    super(`stream '${streamId}' is at version ${actual}, expected ${String(expected)}`);
    this.name = 'StreamVersionConflictError';
  }
}

/**
 * Some, not all, of an append's event ids are stored already. Event ids come from the command id,
 * so this means two different appends reused ids: a bug, never a retry.
 */
export class EventIdsPartiallyStoredError extends Error {
  readonly code = 'EVENT_IDS_PARTIALLY_STORED';

  constructor(
    readonly streamId: string,
    readonly storedEventIds: readonly string[],
    requested: number,
  ) {
    super(
      `${storedEventIds.length} of the ${requested} event ids appended to stream '${streamId}' are already stored ` +
        `(${storedEventIds.join(', ')}): an append is retried only as a whole, with the same ids on the same stream`,
    );
    this.name = 'EventIdsPartiallyStoredError';
  }
}

/** The stream exists under another stream type: its id was reused for something else. */
export class StreamTypeMismatchError extends Error {
  readonly code = 'STREAM_TYPE_MISMATCH';

  constructor(
    readonly streamId: string,
    readonly expectedType: string,
    readonly actualType: string,
  ) {
    super(`stream '${streamId}' has type '${actualType}', not '${expectedType}'`);
    this.name = 'StreamTypeMismatchError';
  }
}

/**
 * The stream belongs to another organization than the one the append acts for. Commands check who
 * owns a stream before they decide, so this is a bug upstream, refused here so it can never mix two
 * organizations' events in one stream.
 */
export class StreamOwnershipError extends Error {
  readonly code = 'STREAM_OWNED_BY_ANOTHER_ORGANIZATION';

  constructor(
    readonly streamId: string,
    readonly organizationId: string,
  ) {
    super(`stream '${streamId}' does not belong to organization '${organizationId}'`);
    this.name = 'StreamOwnershipError';
  }
}

/**
 * Usage record ids an append meant to claim were claimed by another append first: nothing was
 * stored. Like a version conflict, the command reloads, asks which ids are claimed and decides again.
 */
export class UsageRecordsAlreadyClaimedError extends Error {
  readonly code = 'USAGE_RECORDS_ALREADY_CLAIMED';

  constructor(
    readonly organizationId: string,
    readonly recordIds: readonly string[],
  ) {
    super(
      `${recordIds.length} usage record id(s) of organization '${organizationId}' are already claimed (${recordIds.slice(0, 5).join(', ')}${recordIds.length > 5 ? ', ...' : ''})`,
    );
    this.name = 'UsageRecordsAlreadyClaimedError';
  }
}

/** The request can never succeed as written (no events, bad ids, too many events...). */
export class InvalidAppendError extends Error {
  readonly code = 'INVALID_APPEND';

  constructor(message: string) {
    super(message);
    this.name = 'InvalidAppendError';
  }
}

/**
 * True for a StreamVersionConflictError, also one that lost its prototype on the way (a Temporal
 * activity failure, structured clone): then we recognise it by its name or code.
 */
export const isStreamVersionConflictError = (error: unknown): error is StreamVersionConflictError => {
  if (error instanceof StreamVersionConflictError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const shape = error as { name?: unknown; code?: unknown; type?: unknown };
  return (
    shape.name === 'StreamVersionConflictError' ||
    shape.code === 'STREAM_VERSION_CONFLICT' ||
    // Temporal's ApplicationFailure keeps the original class name in `type`.
    shape.type === 'StreamVersionConflictError'
  );
};
