import { InvalidAppendError } from './errors';
import type { AppendRequest } from './recorded-event';
import { canonicalStreamId } from './repair-stream-ids';

/**
 * Positions come in blocks of a million per transaction: position = xid * POSITIONS_PER_TRANSACTION
 * + the event's 1-based index in its transaction. See read-all.ts for why.
 */
export const POSITIONS_PER_TRANSACTION = 1_000_000;

/** Index 0 is never used, so a block holds one less event than it has positions. */
export const MAX_EVENTS_PER_TRANSACTION = POSITIONS_PER_TRANSACTION - 1;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Postgres prints uuids in lower case; comparing the caller's ids with stored ones needs the same
 * spelling on both sides.
 */
export const normalizeEventId = (eventId: string): string => eventId.toLowerCase();

/**
 * Rejects, before any I/O, a request that could never be stored, with a message naming the field.
 * Postgres would refuse most of these too, but only with a generic error in the middle of a transaction.
 */
export function assertValidAppendRequest(request: AppendRequest): void {
  const fail = (message: string): never => {
    throw new InvalidAppendError(`append to stream '${String(request.streamId)}': ${message}`);
  };
  if (typeof request.streamId !== 'string' || request.streamId.length === 0)
    fail('streamId must be a non-empty string');
  // `payment-ABC…` and `payment-abc…` would be two streams of one payment (a split stream): a stream
  // id ending in a UUID is stored only in the spelling every API uses. Existing ones are moved by
  // repairStreamIds, which renames in place and never appends.
  const canonical = canonicalStreamId(request.streamId);
  if (canonical !== request.streamId)
    fail(`streamId must spell its UUID in canonical form (lower case, no urn:uuid: prefix): '${canonical}'`);
  if (typeof request.streamType !== 'string' || request.streamType.length === 0) {
    fail('streamType must be a non-empty string');
  }
  const expected = request.expectedVersion;
  if (expected !== 'no_stream' && expected !== 'any' && !(Number.isSafeInteger(expected) && expected >= 1)) {
    fail(
      `expectedVersion must be 'no_stream', 'any' or an integer >= 1 (got ${String(expected)}); use 'no_stream' for a new stream`,
    );
  }
  if (!Array.isArray(request.events) || request.events.length === 0) fail('events must not be empty');
  if (request.events.length > MAX_EVENTS_PER_TRANSACTION) {
    fail(`at most ${MAX_EVENTS_PER_TRANSACTION} events fit in one append (got ${request.events.length})`);
  }
  const seen = new Set<string>();
  request.events.forEach((event, index) => {
    const at = `events[${index}]`;
    if (typeof event.eventId !== 'string' || !UUID.test(event.eventId)) fail(`${at}.eventId must be a UUID`);
    const id = normalizeEventId(event.eventId);
    if (seen.has(id)) fail(`${at}.eventId ${id} appears twice in the request`);
    seen.add(id);
    if (typeof event.type !== 'string' || event.type.length === 0) fail(`${at}.type must be a non-empty string`);
    if (!isPlainObject(event.data)) fail(`${at}.data must be an object`);
    if (!isPlainObject(event.metadata)) fail(`${at}.metadata must be an object`);
    const schemaVersion = event.schemaVersion;
    if (schemaVersion !== undefined && !(Number.isSafeInteger(schemaVersion) && schemaVersion >= 1)) {
      fail(`${at}.schemaVersion must be an integer >= 1`);
    }
  });
  organizationOfAppend(request);
}

/**
 * The organization an append acts for: the one its events name in `metadata.organizationId` (events
 * naming none are neutral), or null when none does. A stream belongs to one organization, so an
 * append naming two is refused before any I/O.
 */
export function organizationOfAppend(request: AppendRequest): string | null {
  const named = new Set(
    request.events
      .map((event) => metadataString(event.metadata, 'organizationId'))
      .filter((id): id is string => id !== null),
  );
  if (named.size > 1) {
    throw new InvalidAppendError(
      `append to stream '${request.streamId}': its events name ${named.size} organizations (${[...named].join(', ')}); a stream belongs to one`,
    );
  }
  return named.values().next().value ?? null;
}

/**
 * A metadata value worth its own indexed column (correlationId, organizationId): only strings, since
 * the column is text and a number or object there is a caller's mistake we should not guess about.
 */
export function metadataString(metadata: Record<string, unknown>, key: string): string | null {
  const value = metadata[key];
  return typeof value === 'string' && value.length > 0 ? value : null;
}
