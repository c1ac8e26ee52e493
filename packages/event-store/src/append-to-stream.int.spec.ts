import { sql } from 'kysely';
import { appendInTransaction, appendToStream } from './append-to-stream';
import { EventIdsPartiallyStoredError, StreamTypeMismatchError, StreamVersionConflictError } from './errors';
import { readStream } from './read-stream';
import type { AppendRequest, AppendResult } from './recorded-event';
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
  // Enough connections for the concurrent tests to really run at once.
  store = await createEventStoreTestDatabase(24);
  db = store.db;
});

afterAll(async () => {
  await store?.dispose();
});

const conflictOf = async (promise: Promise<unknown>): Promise<StreamVersionConflictError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StreamVersionConflictError);
  return error as StreamVersionConflictError;
};

const storedCount = async (streamId: string) => (await readStream(db, streamId)).length;

describe('appendToStream', () => {
  it('stores events that read back as appended, in version order', async () => {
    const streamId = uniqueStreamId('payment');
    const data = {
      amount: '12.50',
      note: 'quote " backslash \\ newline \n unicode é ✓',
      nested: { list: [1, null, 'x'] },
    };
    const events = [
      newEvent({ type: 'PaymentRequested', data, metadata: { correlationId: 'corr-1', organizationId: 'org-1' } }),
      newEvent({ type: 'PaymentCaptured', data: { ok: true }, schemaVersion: 2 }),
    ];

    const result = await appendToStream(db, { streamId, streamType: 'payment', expectedVersion: 'no_stream', events });

    expect(result).toMatchObject({ streamId, nextVersion: 2, alreadyAppended: false });
    expect(result.lastPosition - result.firstPosition).toBe(1n);
    const read = await readStream(db, streamId);
    expect(read.map((e) => [e.eventId, e.type, e.streamVersion, e.schemaVersion])).toEqual([
      [events[0]?.eventId, 'PaymentRequested', 1, 1],
      [events[1]?.eventId, 'PaymentCaptured', 2, 2],
    ]);
    expect(read[0]).toMatchObject({
      streamId,
      streamType: 'payment',
      data,
      metadata: { correlationId: 'corr-1', organizationId: 'org-1' },
    });
    expect(read.map((e) => e.position)).toEqual([result.firstPosition, result.lastPosition]);
    expect(typeof read[0]?.position).toBe('bigint');
    expect(read[0]?.recordedAt).toBeInstanceOf(Date);
  });

  it('extracts string correlation and organization ids into their columns only', async () => {
    const streamId = uniqueStreamId();
    await appendToStream(db, {
      streamId,
      streamType: 'payment',
      expectedVersion: 'no_stream',
      events: [
        newEvent({ metadata: { correlationId: 'corr-x', organizationId: 'org-x' } }),
        newEvent({ metadata: { correlationId: 7 } }),
      ],
    });
    const { rows } = await sql<{ correlation_id: string | null; organization_id: string | null }>`
      SELECT correlation_id, organization_id FROM events WHERE stream_id = ${streamId} ORDER BY stream_version`.execute(
      db,
    );
    expect(rows).toEqual([
      { correlation_id: 'corr-x', organization_id: 'org-x' },
      { correlation_id: null, organization_id: null },
    ]);
  });

  describe('expected version', () => {
    it("'no_stream' creates the stream and conflicts once it exists", async () => {
      const streamId = uniqueStreamId();
      await appendToStream(db, {
        streamId,
        streamType: 'payment',
        expectedVersion: 'no_stream',
        events: [newEvent(), newEvent()],
      });
      const conflict = await conflictOf(
        appendToStream(db, { streamId, streamType: 'payment', expectedVersion: 'no_stream', events: [newEvent()] }),
      );
      expect(conflict).toMatchObject({ code: 'STREAM_VERSION_CONFLICT', streamId, expected: 'no_stream', actual: 2 });
      expect(await storedCount(streamId)).toBe(2);
    });

    it('a number must be the current version, and reports the actual one when not', async () => {
      const streamId = uniqueStreamId();
      await appendToStream(db, { streamId, streamType: 'payment', expectedVersion: 'no_stream', events: [newEvent()] });
      const second = await appendToStream(db, {
        streamId,
        streamType: 'payment',
        expectedVersion: 1,
        events: [newEvent(), newEvent()],
      });
      expect(second.nextVersion).toBe(3);

      const stale = await conflictOf(
        appendToStream(db, { streamId, streamType: 'payment', expectedVersion: 1, events: [newEvent()] }),
      );
      expect(stale).toMatchObject({ expected: 1, actual: 3 });
      const ahead = await conflictOf(
        appendToStream(db, { streamId, streamType: 'payment', expectedVersion: 4, events: [newEvent()] }),
      );
      expect(ahead).toMatchObject({ expected: 4, actual: 3 });
      expect(await storedCount(streamId)).toBe(3);
    });

    it('a number on a missing stream conflicts with actual 0', async () => {
      const streamId = uniqueStreamId();
      const conflict = await conflictOf(
        appendToStream(db, { streamId, streamType: 'payment', expectedVersion: 1, events: [newEvent()] }),
      );
      expect(conflict).toMatchObject({ expected: 1, actual: 0 });
      expect(await storedCount(streamId)).toBe(0);
    });

    it("'any' appends whether or not the stream exists", async () => {
      const streamId = uniqueStreamId();
      const first = await appendToStream(db, {
        streamId,
        streamType: 'payment',
        expectedVersion: 'any',
        events: [newEvent()],
      });
      const second = await appendToStream(db, {
        streamId,
        streamType: 'payment',
        expectedVersion: 'any',
        events: [newEvent(), newEvent()],
      });
      expect([first.nextVersion, second.nextVersion]).toEqual([1, 3]);
      expect((await readStream(db, streamId)).map((e) => e.streamVersion)).toEqual([1, 2, 3]);
    });

    it('refuses a stream id already used by another stream type', async () => {
      const streamId = uniqueStreamId();
      await appendToStream(db, { streamId, streamType: 'payment', expectedVersion: 'no_stream', events: [newEvent()] });
      await expect(
        appendToStream(db, { streamId, streamType: 'refund', expectedVersion: 1, events: [newEvent()] }),
      ).rejects.toBeInstanceOf(StreamTypeMismatchError);
      await expect(
        appendToStream(db, { streamId, streamType: 'refund', expectedVersion: 'any', events: [newEvent()] }),
      ).rejects.toBeInstanceOf(StreamTypeMismatchError);
      expect(await storedCount(streamId)).toBe(1);
    });
  });

  it('gives strictly increasing positions in append order within a stream', async () => {
    const streamId = uniqueStreamId();
    const results: AppendResult[] = [];
    for (let i = 0; i < 5; i++) {
      const expectedVersion = i === 0 ? 'no_stream' : i * 3;
      results.push(
        await appendToStream(db, {
          streamId,
          streamType: 'payment',
          expectedVersion,
          events: [newEvent(), newEvent(), newEvent()],
        }),
      );
    }
    const positions = (await readStream(db, streamId)).map((e) => e.position);
    expect(positions).toHaveLength(15);
    for (let i = 1; i < positions.length; i++) expect(positions[i]! > positions[i - 1]!).toBe(true);
    // One transaction, one block: an append's positions are consecutive.
    for (const result of results) expect(result.lastPosition - result.firstPosition).toBe(2n);
  });

  it('continues indices across several appends in one transaction', async () => {
    const [a, b] = [uniqueStreamId(), uniqueStreamId()];
    const [first, second] = await db.transaction().execute(async (trx) => [
      await appendInTransaction(trx, {
        streamId: a,
        streamType: 'payment',
        expectedVersion: 'no_stream',
        events: [newEvent(), newEvent()],
      }),
      await appendInTransaction(trx, {
        streamId: b,
        streamType: 'payment',
        expectedVersion: 'no_stream',
        events: [newEvent()],
      }),
    ]);
    expect(first!.firstPosition % 1_000_000n).toBe(1n);
    expect(second!.firstPosition).toBe(first!.lastPosition + 1n);
  });

  describe('idempotency', () => {
    it('the same append twice returns the original result and stores one copy', async () => {
      const streamId = uniqueStreamId();
      const request: AppendRequest = {
        streamId,
        streamType: 'payment',
        expectedVersion: 'no_stream',
        events: [newEvent(), newEvent()],
      };
      const first = await appendToStream(db, request);
      await appendToStream(db, { streamId, streamType: 'payment', expectedVersion: 2, events: [newEvent()] });

      const again = await appendToStream(db, request);

      expect(again).toEqual({ ...first, alreadyAppended: true });
      expect(await storedCount(streamId)).toBe(3);
    });

    it('recognises the ids whatever their letter case', async () => {
      const streamId = uniqueStreamId();
      const request: AppendRequest = {
        streamId,
        streamType: 'payment',
        expectedVersion: 'no_stream',
        events: [newEvent()],
      };
      const first = await appendToStream(db, request);
      const shouted = { ...request, events: request.events.map((e) => ({ ...e, eventId: e.eventId.toUpperCase() })) };
      expect(await appendToStream(db, shouted)).toEqual({ ...first, alreadyAppended: true });
    });

    it('refuses an append whose ids are only partly stored, or stored on another stream', async () => {
      const streamId = uniqueStreamId();
      const stored = newEvent();
      await appendToStream(db, { streamId, streamType: 'payment', expectedVersion: 'no_stream', events: [stored] });

      const partial = appendToStream(db, {
        streamId,
        streamType: 'payment',
        expectedVersion: 1,
        events: [stored, newEvent()],
      });
      await expect(partial).rejects.toBeInstanceOf(EventIdsPartiallyStoredError);
      await expect(partial).rejects.toThrow(/1 of the 2 event ids/);
      const elsewhere = appendToStream(db, {
        streamId: uniqueStreamId(),
        streamType: 'payment',
        expectedVersion: 'no_stream',
        events: [stored],
      });
      await expect(elsewhere).rejects.toBeInstanceOf(EventIdsPartiallyStoredError);
      expect(await storedCount(streamId)).toBe(1);
    });

    it.each([['no_stream'], ['number'], ['any']] as const)(
      'the same append sent 10 times at once (expected version %s) stores one copy and every call gets the same result',
      async (kind) => {
        const streamId = uniqueStreamId();
        if (kind === 'number')
          await appendToStream(db, {
            streamId,
            streamType: 'payment',
            expectedVersion: 'no_stream',
            events: [newEvent()],
          });
        const expectedVersion = kind === 'number' ? 1 : kind;
        const request: AppendRequest = {
          streamId,
          streamType: 'payment',
          expectedVersion,
          events: [newEvent(), newEvent(), newEvent()],
        };

        const results = await Promise.all(Array.from({ length: 10 }, () => appendToStream(db, request)));

        const { alreadyAppended: _ignored, ...original } = results[0]!;
        for (const result of results) expect(result).toEqual({ ...original, alreadyAppended: result.alreadyAppended });
        expect(results.filter((result) => !result.alreadyAppended)).toHaveLength(1);
        const stored = await readStream(db, streamId);
        const ids = request.events.map((e) => e.eventId);
        expect(stored.filter((e) => ids.includes(e.eventId)).map((e) => e.eventId)).toEqual(ids);
        expect(stored).toHaveLength(kind === 'number' ? 4 : 3);
        expect(original.nextVersion).toBe(stored.length);
      },
    );
  });

  it('20 concurrent appends at the same expected version: one wins, 19 conflict', async () => {
    const streamId = uniqueStreamId();
    await appendToStream(db, { streamId, streamType: 'payment', expectedVersion: 'no_stream', events: [newEvent()] });
    const requests = Array.from({ length: 20 }, (): AppendRequest => ({
      streamId,
      streamType: 'payment',
      expectedVersion: 1,
      events: [newEvent(), newEvent()],
    }));

    const outcomes = await Promise.allSettled(requests.map((request) => appendToStream(db, request)));

    const winners = outcomes.flatMap((outcome, index) => (outcome.status === 'fulfilled' ? [index] : []));
    expect(winners).toHaveLength(1);
    const losers = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(losers).toHaveLength(19);
    for (const loser of losers) {
      expect(loser.reason).toBeInstanceOf(StreamVersionConflictError);
      expect(loser.reason).toMatchObject({ expected: 1, actual: 3 });
    }
    const stored = await readStream(db, streamId);
    expect(stored.slice(1).map((e) => e.eventId)).toEqual(requests[winners[0]!]!.events.map((e) => e.eventId));
  });
});

describe('the events table', () => {
  it('is append-only: UPDATE, DELETE and TRUNCATE are rejected', async () => {
    const streamId = uniqueStreamId();
    await appendToStream(db, { streamId, streamType: 'payment', expectedVersion: 'no_stream', events: [newEvent()] });
    await expect(sql`UPDATE events SET type = 'Tampered' WHERE stream_id = ${streamId}`.execute(db)).rejects.toThrow(
      /append-only: UPDATE/,
    );
    await expect(sql`DELETE FROM events WHERE stream_id = ${streamId}`.execute(db)).rejects.toThrow(
      /append-only: DELETE/,
    );
    await expect(sql`TRUNCATE events`.execute(db)).rejects.toThrow(/append-only: TRUNCATE/);
    expect((await readStream(db, streamId)).map((e) => e.type)).toEqual(['TestHappened']);
  });
});
