import { randomUUID } from 'node:crypto';
import { StreamVersionConflictError, UsageRecordsAlreadyClaimedError } from './errors';
import { readStream } from './read-stream';
import { appendClaimingUsageRecords, findClaimedUsageRecordIds } from './usage-record-claims';
import {
  createEventStoreTestDatabase,
  newEvent,
  uniqueStreamId,
  type EventStoreTestDatabase,
} from './test-support/event-store-test-database';
import type { EventStoreDb } from './tables';

let store: EventStoreTestDatabase;
let db: EventStoreDb;

beforeAll(async () => {
  store = await createEventStoreTestDatabase(16);
  db = store.db;
});

afterAll(async () => {
  await store?.dispose();
});

const usageEvent = (organizationId: string, recordIds: readonly string[]) =>
  newEvent({ type: 'UsageRecorded', data: { recordIds: [...recordIds] }, metadata: { organizationId } });

const recordIdsOf = (data: Record<string, unknown>) => data.recordIds as string[];

describe('usage record claims', () => {
  it('claims the accepted ids with the append and answers which ids of a batch are claimed', async () => {
    const organizationId = `org-${randomUUID()}`;
    const streamId = uniqueStreamId('billing');
    const result = await appendClaimingUsageRecords(
      db,
      {
        streamId,
        streamType: 'organization-billing',
        expectedVersion: 'no_stream',
        events: [usageEvent(organizationId, ['a', 'b'])],
      },
      { organizationId, recordIds: ['a', 'b'] },
    );

    expect(result.alreadyAppended).toBe(false);
    expect(await findClaimedUsageRecordIds(db, organizationId, ['a', 'b', 'c'])).toEqual(new Set(['a', 'b']));
    // Claims are per organization: another organization may use the same record ids.
    expect(await findClaimedUsageRecordIds(db, `org-${randomUUID()}`, ['a', 'b'])).toEqual(new Set());
    const claims = await db
      .selectFrom('usage_record_claims')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .execute();
    expect(claims.map((row) => [row.record_id, row.stream_id, row.position])).toEqual(
      expect.arrayContaining([
        ['a', streamId, result.lastPosition.toString()],
        ['b', streamId, result.lastPosition.toString()],
      ]),
    );
  });

  it('stores nothing when an id was claimed meanwhile, and names the id', async () => {
    const organizationId = `org-${randomUUID()}`;
    // Two streams, so the stream lock does not serialize them: only the claim can refuse the second.
    await appendClaimingUsageRecords(
      db,
      {
        streamId: uniqueStreamId('billing'),
        streamType: 'organization-billing',
        expectedVersion: 'no_stream',
        events: [usageEvent(organizationId, ['x'])],
      },
      { organizationId, recordIds: ['x'] },
    );
    const loser = uniqueStreamId('billing');
    const error = await appendClaimingUsageRecords(
      db,
      {
        streamId: loser,
        streamType: 'organization-billing',
        expectedVersion: 'no_stream',
        events: [usageEvent(organizationId, ['y', 'x'])],
      },
      { organizationId, recordIds: ['y', 'x'] },
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UsageRecordsAlreadyClaimedError);
    expect((error as UsageRecordsAlreadyClaimedError).recordIds).toEqual(['x']);
    expect(await readStream(db, loser)).toEqual([]);
    const stream = await db.selectFrom('streams').select('stream_id').where('stream_id', '=', loser).execute();
    expect(stream).toEqual([]);
    expect(await findClaimedUsageRecordIds(db, organizationId, ['x', 'y'])).toEqual(new Set(['x']));
  });

  it('answers the original result for a repeated append, claiming nothing more', async () => {
    const organizationId = `org-${randomUUID()}`;
    const request = {
      streamId: uniqueStreamId('billing'),
      streamType: 'organization-billing',
      expectedVersion: 'no_stream' as const,
      events: [usageEvent(organizationId, ['r1'])],
    };
    const first = await appendClaimingUsageRecords(db, request, { organizationId, recordIds: ['r1'] });
    const again = await appendClaimingUsageRecords(db, request, { organizationId, recordIds: ['r1'] });

    expect(again).toEqual({ ...first, alreadyAppended: true });
    expect(await readStream(db, request.streamId)).toHaveLength(1);
  });

  it('accepts every record id exactly once when batches with overlapping ids race on one stream', async () => {
    const organizationId = `org-${randomUUID()}`;
    const streamId = uniqueStreamId('billing');
    const ids = Array.from({ length: 60 }, (_, i) => `rec-${i}`);
    // Eight writers, each a window of 20 ids sliding by 5: every id is in up to four batches.
    const batches = Array.from({ length: 8 }, (_, w) => ids.slice(w * 5, w * 5 + 20));

    /** A writer as the command workflow is: read the version, ask what is claimed, append the rest, retry on a conflict. */
    async function write(batch: readonly string[]): Promise<number> {
      for (let attempt = 0; attempt < 50; attempt += 1) {
        const events = await readStream(db, streamId);
        const version = events.length;
        const claimed = await findClaimedUsageRecordIds(db, organizationId, batch);
        const fresh = batch.filter((id) => !claimed.has(id));
        if (fresh.length === 0) return 0;
        try {
          await appendClaimingUsageRecords(
            db,
            {
              streamId,
              streamType: 'organization-billing',
              expectedVersion: version === 0 ? 'no_stream' : version,
              events: [usageEvent(organizationId, fresh)],
            },
            { organizationId, recordIds: fresh },
          );
          return fresh.length;
        } catch (error) {
          if (!(error instanceof StreamVersionConflictError || error instanceof UsageRecordsAlreadyClaimedError))
            throw error;
        }
      }
      throw new Error('a writer kept losing');
    }

    const accepted = await Promise.all(batches.map(write));

    // How we know each id was accepted exactly once: the records of every stored event, put
    // together, hold each of the 55 distinct ids once and nothing else, and the writers' own
    // counts of what they appended add up to the same 55.
    const distinct = new Set(batches.flat());
    const stored = (await readStream(db, streamId)).flatMap((event) => recordIdsOf(event.data));
    expect(stored).toHaveLength(distinct.size);
    expect(new Set(stored)).toEqual(distinct);
    expect(accepted.reduce((sum, n) => sum + n, 0)).toBe(distinct.size);
    expect(await findClaimedUsageRecordIds(db, organizationId, [...distinct])).toEqual(distinct);
  });
});
