import { sql } from 'kysely';
import { appendInTransaction } from './append-to-stream';
import { InvalidAppendError, UsageRecordsAlreadyClaimedError } from './errors';
import type { AppendRequest, AppendResult } from './recorded-event';
import type { EventStoreDb } from './tables';

/** The usage records an append accepts: their ids are claimed for the organization, for ever. */
export interface UsageRecordClaim {
  organizationId: string;
  recordIds: readonly string[];
}

/**
 * Of `recordIds`, those the organization already had accepted: one indexed query (`= ANY`), however
 * many ids the batch holds. Deciding on this answer is safe because the append claims the ids again
 * in its own transaction (see appendClaimingUsageRecords): a claim that slipped in between fails it.
 */
export async function findClaimedUsageRecordIds(
  db: EventStoreDb,
  organizationId: string,
  recordIds: readonly string[],
): Promise<Set<string>> {
  if (recordIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('usage_record_claims')
    .select('record_id')
    .where('organization_id', '=', organizationId)
    .where(sql<boolean>`record_id = ANY(${[...recordIds]}::text[])`)
    .execute();
  return new Set(rows.map((row) => row.record_id));
}

/**
 * Appends events and claims the usage record ids they accept, in ONE transaction: either both are
 * stored or neither. Idempotent like appendToStream: an append whose event ids are all stored
 * already answers its original result (`alreadyAppended: true`) and claims nothing more, since its
 * claims were committed with it.
 *
 * @throws UsageRecordsAlreadyClaimedError when one of the ids was claimed meanwhile (nothing is
 *   stored: reload, ask which ids are claimed, decide again, as after a version conflict)
 * @throws StreamVersionConflictError and the other errors of appendToStream
 */
export async function appendClaimingUsageRecords(
  db: EventStoreDb,
  request: AppendRequest,
  claim: UsageRecordClaim,
): Promise<AppendResult> {
  const recordIds = [...claim.recordIds];
  if (new Set(recordIds).size !== recordIds.length) {
    throw new InvalidAppendError(`append to stream '${request.streamId}': a usage record id is claimed twice`);
  }
  return db.transaction().execute(async (trx) => {
    const result = await appendInTransaction(trx, request);
    if (result.alreadyAppended || recordIds.length === 0) return result;
    const { rows } = await sql<{ record_id: string }>`
      INSERT INTO usage_record_claims (organization_id, record_id, stream_id, position)
      SELECT ${claim.organizationId}::text, r.record_id, ${request.streamId}::text, ${result.lastPosition.toString()}::bigint
      FROM unnest(${recordIds}::text[]) AS r(record_id)
      ON CONFLICT (organization_id, record_id) DO NOTHING
      RETURNING record_id`.execute(trx);
    if (rows.length !== recordIds.length) {
      const inserted = new Set(rows.map((row) => row.record_id));
      // Throwing rolls the transaction back: the events go with the claims.
      throw new UsageRecordsAlreadyClaimedError(
        claim.organizationId,
        recordIds.filter((id) => !inserted.has(id)),
      );
    }
    return result;
  });
}
