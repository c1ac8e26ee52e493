import { createHash } from 'node:crypto';
import { canonicalJson } from '@gyroscops/cache';
import { isSupportedInstant } from '@gyroscops/contracts';
import { PAYMENT_STATUSES } from '@gyroscops/domain';
import { ApplicationError } from '@gyroscops/platform';

/**
 * Opaque page cursors. A cursor is base64url JSON holding the keyset position where the previous page
 * ended (the last row's sort key, its id last) and a fingerprint of the query it belongs to: the kind
 * of search and its canonical filters, sort and order. A cursor replayed with other filters would
 * continue a walk the client never started (skipping or repeating rows), so it is refused with 400
 * instead. Cursors are not signed: a forged one can only move within the same, already allowed, query,
 * and every part of its position is checked as it is decoded (see CursorField), so a forged value is a
 * 400 here rather than an error in the SQL it would reach.
 */

const VERSION = 1;
const CURSOR_PATH = 'querystring:/cursor';

interface CursorBody {
  v: number;
  /** The query kind: a payments cursor is no events cursor. */
  k: string;
  /** Fingerprint of the query's canonical parameters. */
  f: string;
  /** The keyset position: the previous page's last sort key. */
  p: string[];
}

/**
 * What one part of a keyset position holds, as the read side writes it: an event position or an
 * amount in minor units (an int8: at most 19 digits and 2^63 - 1), an instant with microseconds in
 * the supported range (a real calendar day, as Postgres stores it), a canonical UUID, a currency code
 * or a payment status.
 */
export type CursorField = 'position' | 'minor-units' | 'instant' | 'uuid' | 'currency' | 'payment-status';

const INT8_MAX = 9_223_372_036_854_775_807n;
const UNSIGNED_INT8 = /^\d{1,19}$/;
const MICROSECOND_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CURRENCY = /^[A-Z]{3}$/;

function fits(field: CursorField, value: string): boolean {
  switch (field) {
    case 'position':
    case 'minor-units':
      return UNSIGNED_INT8.test(value) && BigInt(value) <= INT8_MAX;
    case 'instant':
      return MICROSECOND_INSTANT.test(value) && isSupportedInstant(value);
    case 'uuid':
      return CANONICAL_UUID.test(value);
    case 'currency':
      return CURRENCY.test(value);
    case 'payment-status':
      return (PAYMENT_STATUSES as readonly string[]).includes(value);
    default: {
      const _exhaustive: never = field;
      return _exhaustive;
    }
  }
}

/** A short digest of everything a cursor's walk depends on; equal queries (in any key order) give equal digests. */
export function queryFingerprint(kind: string, query: unknown): string {
  return createHash('sha256').update(canonicalJson({ kind, query })).digest('base64url').slice(0, 22);
}

/** The cursor for the page after the one ending at `position`. */
export function encodeCursor(kind: string, fingerprint: string, position: readonly string[]): string {
  const body: CursorBody = { v: VERSION, k: kind, f: fingerprint, p: [...position] };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

const invalid = (message: string) =>
  new ApplicationError('VALIDATION', `invalid cursor: ${message}`, [{ path: CURSOR_PATH, message }]);

/**
 * The keyset position a cursor holds, checked by `fields`: one CursorField per part, or the read
 * model's own check of a whole key (so a key is validated once, by the code that knows its columns).
 * Throws a 400 (VALIDATION) when it is not a cursor of this service, belongs to another kind of query,
 * or to the same kind with other filters, sort or order, or when its position does not fit `fields`.
 */
export function decodeCursor(
  cursor: string,
  kind: string,
  fingerprint: string,
  fields: readonly CursorField[] | ((position: readonly string[]) => boolean),
): string[] {
  let body: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not a cursor of this API');
  }
  const candidate = body as Partial<CursorBody> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    candidate.v !== VERSION ||
    typeof candidate.k !== 'string' ||
    typeof candidate.f !== 'string' ||
    !Array.isArray(candidate.p) ||
    !candidate.p.every((part) => typeof part === 'string')
  ) {
    throw invalid('not a cursor of this API');
  }
  if (candidate.k !== kind) throw invalid('this cursor belongs to another kind of query');
  if (candidate.f !== fingerprint) throw invalid('this cursor belongs to a query with other filters, sort or order');
  const position = candidate.p;
  const fitting =
    typeof fields === 'function'
      ? fields(position)
      : position.length === fields.length && fields.every((field, index) => fits(field, position[index] ?? ''));
  if (!fitting) throw invalidCursorPosition();
  return position;
}

/** A decoded cursor whose position does not fit the query: forged or from an older version. */
export function invalidCursorPosition(): ApplicationError {
  return invalid('its position does not fit this query');
}
