import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { IdempotencyTables } from './tables';

export type IdempotencyDb = Kysely<IdempotencyTables>;

export interface StoredResponse {
  status: number;
  body: unknown;
}

export type IdempotencyClaim =
  /** First use of the key: run the command under `commandId`. */
  | { kind: 'claimed'; commandId: string }
  /** Seen before with the same request: attach to `commandId`, or replay `response` when it finished. */
  | { kind: 'replay'; commandId: string; response: StoredResponse | null }
  /** Seen before with a different request: 409. */
  | { kind: 'mismatch'; commandId: string };

export interface ClaimRequest {
  organizationId: string;
  key: string;
  requestHash: string;
  commandId: string;
  /** How long the key is remembered (at least 24 hours by contract). */
  ttlMs: number;
}

/** A stable hash of what makes two requests "the same": method, route and canonical JSON body. */
export function hashRequest(method: string, route: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${route}\n${canonicalJson(body)}`)
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, nested]) => nested !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, nested]) => `${JSON.stringify(name)}:${canonicalJson(nested)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Claims an idempotency key for an organization in one statement. Concurrent claims of one key
 * serialize on its primary key: exactly one gets `claimed`, the others `replay` the same command id.
 * An expired key is taken over as if new.
 */
export async function claimIdempotencyKey(db: IdempotencyDb, request: ClaimRequest): Promise<IdempotencyClaim> {
  const expiresAt = new Date(Date.now() + request.ttlMs);
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({
      organization_id: request.organizationId,
      idempotency_key: request.key,
      request_hash: request.requestHash,
      command_id: request.commandId,
      expires_at: expiresAt,
    })
    .onConflict((conflict) =>
      conflict
        .columns(['organization_id', 'idempotency_key'])
        .doUpdateSet({
          request_hash: request.requestHash,
          command_id: request.commandId,
          created_at: sql`now()`,
          expires_at: expiresAt,
          response_status: null,
          response_body: null,
          completed_at: null,
        })
        .where('idempotency_keys.expires_at', '<', sql<Date>`now()`),
    )
    .returning('command_id')
    .executeTakeFirst();
  if (inserted) return { kind: 'claimed', commandId: inserted.command_id };

  const existing = await db
    .selectFrom('idempotency_keys')
    .select(['command_id', 'request_hash', 'response_status', 'response_body'])
    .where('organization_id', '=', request.organizationId)
    .where('idempotency_key', '=', request.key)
    .executeTakeFirstOrThrow();
  if (existing.request_hash !== request.requestHash) return { kind: 'mismatch', commandId: existing.command_id };
  const response =
    existing.response_status === null ? null : { status: existing.response_status, body: existing.response_body };
  return { kind: 'replay', commandId: existing.command_id, response };
}

/** Remembers the final answer of a keyed command, so a retry after Temporal forgot the execution still replays it. */
export async function recordIdempotentResponse(
  db: IdempotencyDb,
  key: { organizationId: string; key: string; commandId: string },
  response: StoredResponse,
): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ response_status: response.status, response_body: JSON.stringify(response.body), completed_at: sql`now()` })
    .where('organization_id', '=', key.organizationId)
    .where('idempotency_key', '=', key.key)
    .where('command_id', '=', key.commandId)
    .execute();
}

/** Deletes keys past their expiry; returns how many. */
export async function purgeExpiredIdempotencyKeys(db: IdempotencyDb, limit = 10_000): Promise<number> {
  const result = await sql<{ count: string }>`
    WITH doomed AS (
      SELECT organization_id, idempotency_key FROM idempotency_keys WHERE expires_at < now() LIMIT ${limit}
    )
    DELETE FROM idempotency_keys k USING doomed d
    WHERE k.organization_id = d.organization_id AND k.idempotency_key = d.idempotency_key`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}
