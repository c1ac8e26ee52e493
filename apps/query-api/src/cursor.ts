import { createHash } from 'node:crypto';
import { canonicalJson } from '@gyroscops/cache';
import { ApplicationError } from '@gyroscops/platform';

/**
 * Opaque page cursors. A cursor is base64url JSON holding the keyset position where the previous page
 * ended (the last row's sort key, its id last) and a fingerprint of the query it belongs to: the kind
 * of search and its canonical filters, sort and order. A cursor replayed with other filters would
 * continue a walk the client never started (skipping or repeating rows), so it is refused with 400
 * instead. Cursors are not signed: a forged one can only move within the same, already allowed, query.
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
 * The keyset position a cursor holds. Throws a 400 (VALIDATION) when it is not a cursor of this
 * service, belongs to another kind of query, or to the same kind with other filters, sort or order.
 */
export function decodeCursor(cursor: string, kind: string, fingerprint: string): string[] {
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
  return candidate.p;
}

/** A decoded cursor whose position does not fit the query: forged or from an older version. */
export function invalidCursorPosition(): ApplicationError {
  return invalid('its position does not fit this query');
}
