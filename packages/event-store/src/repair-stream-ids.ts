import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { EventStoreDb } from './tables';

/**
 * A stream id that ends in a UUID (`payment-<uuid>`): what comes before it, and the UUID as spelled,
 * `urn:uuid:` prefix included.
 */
const STREAM_ID_ENDING_IN_UUID = /^(.*?)((?:urn:uuid:)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** Namespace of the name-based ids a re-keyed stream gets (a fixed, random UUID). */
const REKEY_NAMESPACE = '6b0e4d1c-93a2-4f57-8e0b-5d2c9a7f31e8';

const DEFAULT_QUIET_FOR_MS = 10 * 60_000;

/**
 * What the repair does with one stream whose id spells its UUID in a non-canonical way:
 * - `rename`: no stream has the canonical id, so this one takes it (the events stay the same
 *   events, now under the id every API call reaches);
 * - `rekey`: another stream already has the canonical id (two payments were created under one id
 *   spelled twice, possibly by two organizations): this one cannot merge into it, so it moves to a new
 *   id derived from its old one, with every event kept, and its organization must be told the new id;
 * - `hold`: it was written too recently (a command may still be appending to it), or an earlier
 *   spelling of its id is held: left as it is until a later run.
 */
export type StreamIdRepairKind = 'rename' | 'rekey' | 'hold';

export interface StreamIdRepair {
  kind: StreamIdRepairKind;
  streamId: string;
  streamType: string;
  organizationId: string | null;
  /** Events the stream holds (all of them move). */
  events: number;
  /** Where the stream moves; null when held. */
  targetStreamId: string | null;
  reason: string;
}

export interface StreamIdRepairOptions {
  /**
   * Streams appended to more recently than this are held: a command still running may append to
   * them. Ten minutes by default; commands take seconds.
   */
  quietForMs?: number;
  now?: Date;
}

/** A stream id with its UUID spelled canonically (lower case, no `urn:uuid:`), as the APIs spell ids. */
export function canonicalStreamId(streamId: string): string {
  const match = STREAM_ID_ENDING_IN_UUID.exec(streamId);
  if (!match) return streamId;
  return `${match[1]}${match[2]!.toLowerCase().replace(/^urn:uuid:/, '')}`;
}

/** The UUID at the end of a stream id, as spelled there. */
const uuidOf = (streamId: string): string => STREAM_ID_ENDING_IN_UUID.exec(streamId)?.[2] ?? '';

/** A name-based UUID (RFC 9562 version 5): a dry run and the repair itself name the same new id. */
function nameBasedUuid(name: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(REKEY_NAMESPACE.replaceAll('-', ''), 'hex'))
    .update(name)
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

interface Candidate {
  streamId: string;
  streamType: string;
  organizationId: string | null;
  events: number;
  updatedAt: Date;
  firstPosition: bigint;
}

/**
 * What repairStreamIds would do, changing nothing. Streams are taken in the order they were created,
 * so where several spellings of one id exist and none is canonical, the oldest takes the id.
 */
export async function planStreamIdRepairs(
  db: EventStoreDb,
  options: StreamIdRepairOptions = {},
): Promise<StreamIdRepair[]> {
  const quietSince = (options.now ?? new Date()).getTime() - (options.quietForMs ?? DEFAULT_QUIET_FOR_MS);
  // A first filter the index-free scan can do cheaply; the exact test is canonicalStreamId.
  const { rows } = await sql<{
    stream_id: string;
    stream_type: string;
    organization_id: string | null;
    version: number;
    updated_at: Date;
    first_position: string;
  }>`
    SELECT s.stream_id, s.stream_type, s.organization_id, s.version, s.updated_at,
           (SELECT e.position FROM events e WHERE e.stream_id = s.stream_id ORDER BY e.stream_version LIMIT 1)::text AS first_position
    FROM streams s
    WHERE s.stream_id ~ '[A-F]' OR s.stream_id ~* 'urn:uuid:'`.execute(db);
  const candidates: Candidate[] = rows
    .filter((row) => canonicalStreamId(row.stream_id) !== row.stream_id)
    .map((row) => ({
      streamId: row.stream_id,
      streamType: row.stream_type,
      organizationId: row.organization_id,
      events: row.version,
      updatedAt: row.updated_at,
      firstPosition: BigInt(row.first_position ?? '0'),
    }))
    .sort((a, b) => (a.firstPosition < b.firstPosition ? -1 : a.firstPosition > b.firstPosition ? 1 : 0));
  if (candidates.length === 0) return [];

  const targets = [...new Set(candidates.map((candidate) => canonicalStreamId(candidate.streamId)))];
  const existing = await db.selectFrom('streams').select('stream_id').where('stream_id', 'in', targets).execute();
  const taken = new Set(existing.map((row) => row.stream_id));
  /** Canonical ids whose earliest non-canonical stream is held: later spellings wait for it. */
  const heldFor = new Map<string, string>();

  return candidates.map((candidate): StreamIdRepair => {
    const canonical = canonicalStreamId(candidate.streamId);
    const base = {
      streamId: candidate.streamId,
      streamType: candidate.streamType,
      organizationId: candidate.organizationId,
      events: candidate.events,
    };
    const hold = (reason: string): StreamIdRepair => {
      if (!heldFor.has(canonical) && !taken.has(canonical)) heldFor.set(canonical, candidate.streamId);
      return { ...base, kind: 'hold', targetStreamId: null, reason };
    };
    const waitingFor = heldFor.get(canonical);
    if (waitingFor) return hold(`waits for ${waitingFor}, an older spelling of the same id, which is held`);
    if (candidate.updatedAt.getTime() > quietSince)
      return hold(
        `appended to at ${candidate.updatedAt.toISOString()}: a command may still be running on it; run the repair again later`,
      );
    if (!taken.has(canonical)) {
      taken.add(canonical);
      return { ...base, kind: 'rename', targetStreamId: canonical, reason: `the only stream of ${canonical}` };
    }
    const prefix = canonical.slice(0, canonical.length - 36);
    const rekeyed = `${prefix}${nameBasedUuid(candidate.streamId)}`;
    taken.add(rekeyed);
    return {
      ...base,
      kind: 'rekey',
      targetStreamId: rekeyed,
      reason: `${canonical} is another stream: this one keeps its events under a new id`,
    };
  });
}

/**
 * Repairs streams whose ids spell a UUID in a non-canonical way (written before ids were
 * canonicalized at the edge): renames each to its canonical id, or re-keys it when that id is
 * another stream's (see StreamIdRepairKind). Nothing is dropped: every event stays, with its id,
 * position, time and metadata; only its stream id and the data fields that held the old spelling of
 * the id change. Each move is recorded in `stream_id_repairs`.
 *
 * One transaction. Appends wait on the `streams` lock while it runs (readers do not); the events'
 * append-only trigger is disabled for this transaction's statements only and is back on at commit,
 * or at rollback. Read models built from the old ids must be rebuilt afterwards.
 */
export async function repairStreamIds(
  db: EventStoreDb,
  options: StreamIdRepairOptions = {},
): Promise<StreamIdRepair[]> {
  return db.transaction().execute(async (trx) => {
    // streams first, as an append takes them: an append in progress finishes, later ones wait.
    await sql`LOCK TABLE streams IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
    await sql`ALTER TABLE events DISABLE TRIGGER events_append_only`.execute(trx);
    const plan = await planStreamIdRepairs(trx, options);
    for (const repair of plan) {
      if (repair.kind === 'hold' || repair.targetStreamId === null) continue;
      await moveStream(trx, repair, repair.kind, repair.targetStreamId);
    }
    await sql`ALTER TABLE events ENABLE TRIGGER events_append_only`.execute(trx);
    return plan;
  });
}

async function moveStream(
  trx: EventStoreDb,
  repair: StreamIdRepair,
  kind: 'rename' | 'rekey',
  target: string,
): Promise<void> {
  const before = uuidOf(repair.streamId);
  const after = uuidOf(target);
  await sql`UPDATE streams SET stream_id = ${target} WHERE stream_id = ${repair.streamId}`.execute(trx);
  // The id also sits in the events' data (`paymentId`): top-level fields spelled as the old id take the new one.
  const { rows } = await sql<{ event_id: string }>`
    UPDATE events SET stream_id = ${target},
      data = coalesce((SELECT jsonb_object_agg(field.key, CASE WHEN field.value = to_jsonb(${before}::text) THEN to_jsonb(${after}::text) ELSE field.value END)
                       FROM jsonb_each(events.data) AS field), '{}'::jsonb)
    WHERE stream_id = ${repair.streamId}
    RETURNING event_id`.execute(trx);
  await trx
    .insertInto('stream_id_repairs')
    .values({
      action: kind === 'rename' ? 'renamed' : 'rekeyed',
      stream_id_before: repair.streamId,
      stream_id_after: target,
      stream_type: repair.streamType,
      organization_id: repair.organizationId,
      event_ids: rows.map((row) => row.event_id),
      reason: repair.reason,
    })
    .execute();
}
