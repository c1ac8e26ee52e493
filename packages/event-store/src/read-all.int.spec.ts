import { Client } from 'pg';
import { appendInTransaction, appendToStream } from './append-to-stream';
import { countEventsAfter, headPosition, safeHeadPosition } from './head-position';
import { readAll } from './read-all';
import type { AppendRequest, AppendResult, RecordedEvent } from './recorded-event';
import {
  createEventStoreTestDatabase,
  gate,
  newEvent,
  sleep,
  uniqueStreamId,
  type EventStoreTestDatabase,
} from './test-support/event-store-test-database';
import type { EventStoreDb } from './tables';

let store: EventStoreTestDatabase;
let db: EventStoreDb;

beforeAll(async () => {
  store = await createEventStoreTestDatabase(4);
  db = store.db;
});

afterAll(async () => {
  await store?.dispose();
});

const request = (
  streamId: string,
  expectedVersion: AppendRequest['expectedVersion'],
  count = 1,
  type = 'TestHappened',
): AppendRequest => ({
  streamId,
  streamType: 'test',
  expectedVersion,
  events: Array.from({ length: count }, () => newEvent({ type })),
});

/**
 * readAll once everything committed so far is below the safe bound. The bound is cluster-wide: a
 * write transaction of another test file, in another database, can hold it back for a moment.
 */
const readAllSettled = async (options: Parameters<typeof readAll>[1]): Promise<RecordedEvent[]> => {
  const head = await headPosition(db);
  const deadline = Date.now() + 10_000;
  while ((await safeHeadPosition(db)) < head) {
    if (Date.now() > deadline) throw new Error('the safe head did not reach the head within 10 s');
    await sleep(5);
  }
  return readAll(db, options);
};

const expectStrictlyIncreasing = (positions: bigint[]) => {
  for (let i = 1; i < positions.length; i++) {
    if (!(positions[i]! > positions[i - 1]!))
      throw new Error(`position ${positions[i]} follows ${positions[i - 1]} at index ${i}`);
  }
};

describe('readAll', () => {
  it('holds back an event committed before an older transaction, then returns both in order, skipping none', async () => {
    // Two writers on connections of their own, so each transaction stays open exactly as long as the test says.
    const writerA = store.connect(1);
    const writerB = store.connect(1);
    const naive = new Client({ connectionString: store.env.eventStoreDatabaseUrl });
    await naive.connect();
    const commitA = gate();
    let transactionA: Promise<void> | undefined;
    try {
      const checkpoint = await headPosition(db);
      const aInserted = gate();
      let resultA: AppendResult | undefined;
      // A takes its xid (and so its position block) first...
      transactionA = writerA.transaction().execute(async (trx) => {
        resultA = await appendInTransaction(trx, request(uniqueStreamId('a'), 'no_stream'));
        aInserted.open();
        await commitA.opened;
      });
      await aInserted.opened;
      // ...B starts later, takes a larger xid and commits first.
      const resultB = await writerB
        .transaction()
        .execute((trx) => appendInTransaction(trx, request(uniqueStreamId('b'), 'no_stream')));
      expect(resultB.firstPosition > resultA!.lastPosition).toBe(true);

      // What the reader guards against: `position > checkpoint` alone returns B now, the reader would
      // move its checkpoint past A's position, and A, committing a moment later, would never be read.
      const { rows: naiveRows } = await naive.query<{ position: string }>(
        'SELECT position FROM events WHERE position > $1 ORDER BY position',
        [checkpoint.toString()],
      );
      expect(naiveRows.map((row) => BigInt(row.position))).toEqual([resultB.firstPosition]);
      expect(await headPosition(db)).toBe(resultB.lastPosition);

      // The gap-safe reader returns neither: B waits behind A, still running.
      expect(await readAll(db, { after: checkpoint, limit: 100 })).toEqual([]);
      expect(await safeHeadPosition(db)).toBe(checkpoint);

      commitA.open();
      await transactionA;

      const afterCommit = await readAllSettled({ after: checkpoint, limit: 100 });
      expect(afterCommit.map((e) => e.position)).toEqual([resultA!.firstPosition, resultB.firstPosition]);
    } finally {
      // A failed assertion must not leave A open: it would hold every later reader back.
      commitA.open();
      await transactionA;
      await naive.end();
    }
  });

  it('ignores events of a transaction that rolled back', async () => {
    const checkpoint = await headPosition(db);
    await expect(
      db.transaction().execute(async (trx) => {
        await appendInTransaction(trx, request(uniqueStreamId(), 'no_stream'));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const committed = await appendToStream(db, request(uniqueStreamId(), 'no_stream'));
    expect((await readAllSettled({ after: checkpoint, limit: 10 })).map((e) => e.position)).toEqual([
      committed.firstPosition,
    ]);
  });

  it('filters by type and pages by limit', async () => {
    const checkpoint = await headPosition(db);
    const streamId = uniqueStreamId();
    await appendToStream(db, request(streamId, 'no_stream', 3, 'Wanted'));
    await appendToStream(db, request(streamId, 3, 2, 'Other'));
    await appendToStream(db, request(streamId, 5, 2, 'Wanted'));

    const wanted = await readAllSettled({ after: checkpoint, limit: 100, types: ['Wanted'] });
    expect(wanted.map((e) => e.streamVersion)).toEqual([1, 2, 3, 6, 7]);
    expect(await readAll(db, { after: checkpoint, limit: 100, types: [] })).toEqual([]);

    const firstPage = await readAll(db, { after: checkpoint, limit: 4 });
    const secondPage = await readAll(db, { after: firstPage.at(-1)!.position, limit: 4 });
    expect([...firstPage, ...secondPage].map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    await expect(readAll(db, { after: checkpoint, limit: 0 })).rejects.toThrow(RangeError);
  });

  it('counts events after a position, up to a cap', async () => {
    const checkpoint = await headPosition(db);
    expect(await countEventsAfter(db, checkpoint)).toBe(0);
    const first = await appendToStream(db, request(uniqueStreamId(), 'no_stream', 4));
    await appendToStream(db, request(uniqueStreamId(), 'no_stream', 3));
    expect(await countEventsAfter(db, checkpoint)).toBe(7);
    expect(await countEventsAfter(db, checkpoint, 5)).toBe(5);
    expect(await countEventsAfter(db, first.lastPosition)).toBe(3);
  });

  it('many concurrent writers, one reader: every event exactly once, in strictly increasing order', async () => {
    // Proves that no event is lost or applied twice by a projection that checkpoints the position of
    // the last event it read, however the writers' commits interleave.
    const writers = store.connect(12);
    const reader = store.connect(1);
    const writerCount = 16;
    const appendsPerWriter = 25;
    const start = await headPosition(db);
    const appended: string[] = [];
    // Set once the writers are done: the head position the reader must get past.
    const progress: { finalHead?: bigint } = {};

    const writeAll = async (writer: number) => {
      const streamId = uniqueStreamId(`writer-${writer}`);
      for (let i = 0; i < appendsPerWriter; i++) {
        const next = request(streamId, i === 0 ? 'no_stream' : i * 2, 2);
        if (writer % 2 === 0) {
          await appendToStream(writers, next);
        } else {
          // Half the writers keep their transaction open a little after inserting, so commits land
          // out of position order all the time: the case a naive reader gets wrong.
          await writers.transaction().execute(async (trx) => {
            await appendInTransaction(trx, next);
            await sleep(Math.random() * 4);
          });
        }
        appended.push(...next.events.map((e) => e.eventId));
      }
    };

    const seen: RecordedEvent[] = [];
    const readEverything = async () => {
      let checkpoint = start;
      const deadline = Date.now() + 45_000;
      for (;;) {
        // Done only once the writers are done and the safe bound has passed their last event.
        const { finalHead } = progress;
        const done = finalHead !== undefined && (await safeHeadPosition(reader)) >= finalHead;
        const page = await readAll(reader, { after: checkpoint, limit: 37 });
        seen.push(...page);
        if (page.length > 0) checkpoint = page.at(-1)!.position;
        else if (done) return;
        else await sleep(1);
        if (Date.now() > deadline) throw new Error(`reader gave up after seeing ${seen.length} events`);
      }
    };

    const reading = readEverything();
    await Promise.all(Array.from({ length: writerCount }, (_, writer) => writeAll(writer)));
    progress.finalHead = await headPosition(db);
    await reading;

    expect(appended).toHaveLength(writerCount * appendsPerWriter * 2);
    expectStrictlyIncreasing(seen.map((e) => e.position));
    const seenIds = seen.map((e) => e.eventId);
    expect(new Set(seenIds).size).toBe(seenIds.length);
    expect([...seenIds].sort()).toEqual([...appended].sort());
  });
});
