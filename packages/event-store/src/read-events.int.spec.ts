import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { waitFor } from '@gyroscops/dev-infra';
import { appendToStream } from './append-to-stream';
import { readByCorrelationId, readEvents, type ReadEventsFilter } from './read-events';
import { readStream } from './read-stream';
import type { RecordedEvent } from './recorded-event';
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
  store = await createEventStoreTestDatabase(4);
  db = store.db;
});

afterAll(async () => {
  await store?.dispose();
});

/** Every page of a filter, following the keyset cursor; fails on a page that repeats a position. */
async function allPages(filter: Omit<ReadEventsFilter, 'after'>): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let after: bigint | undefined;
  for (let page = 0; page < 100; page++) {
    const next = await readEvents(db, { ...filter, ...(after === undefined ? {} : { after }) });
    if (next.length === 0) return events;
    events.push(...next);
    after = next.at(-1)!.position;
  }
  throw new Error('paging did not end');
}

const ids = (events: RecordedEvent[]) => events.map((e) => e.eventId);

/**
 * Until Postgres' clock, rounded as recorded_at is (milliseconds), is past the stream's last event:
 * the next append is then recorded strictly later.
 */
async function untilClockPassesLastEventOf(streamId: string): Promise<void> {
  const last = (await readStream(db, streamId)).at(-1)!.recordedAt;
  await waitFor(
    'the database clock to pass the last append',
    async () =>
      (await sql<{ passed: boolean }>`SELECT clock_timestamp()::timestamptz(3) > ${last} AS passed`.execute(db)).rows[0]
        ?.passed,
    { intervalMs: 1 },
  );
}

describe('readEvents', () => {
  const organizationId = `org-${randomUUID()}`;
  const paymentType = `payment-${randomUUID()}`;
  const appendedIds: string[] = [];
  const captured: string[] = [];

  beforeAll(async () => {
    // 3 payment streams of 4 events in the organization, interleaved; a refund stream; another organization.
    const streams = [uniqueStreamId('p'), uniqueStreamId('p'), uniqueStreamId('p')];
    for (let round = 0; round < 4; round++) {
      for (const streamId of streams) {
        const type = round % 2 === 0 ? 'PaymentRequested' : 'PaymentCaptured';
        const event = newEvent({ type, metadata: { organizationId } });
        await appendToStream(db, {
          streamId,
          streamType: paymentType,
          expectedVersion: round === 0 ? 'no_stream' : round,
          events: [event],
        });
        appendedIds.push(event.eventId);
        if (type === 'PaymentCaptured') captured.push(event.eventId);
      }
    }
    await appendToStream(db, {
      streamId: uniqueStreamId('r'),
      streamType: 'refund',
      expectedVersion: 'no_stream',
      events: [newEvent({ type: 'PaymentCaptured', metadata: { organizationId: 'someone-else' } })],
    });
  });

  it('pages through a stream type in both directions without duplicates or gaps', async () => {
    const ascending = await allPages({ streamType: paymentType, limit: 5 });
    expect(ids(ascending)).toEqual(appendedIds);
    const descending = await allPages({ streamType: paymentType, limit: 5, order: 'desc' });
    expect(ids(descending)).toEqual([...appendedIds].reverse());
    expect(ids(await allPages({ streamType: paymentType, limit: 1 }))).toEqual(appendedIds);
  });

  it('filters by organization and types together', async () => {
    expect(ids(await allPages({ organizationId, types: ['PaymentCaptured'], limit: 4 }))).toEqual(captured);
    expect(await readEvents(db, { organizationId, types: [], limit: 10 })).toEqual([]);
    const allCaptured = await allPages({ types: ['PaymentCaptured'], limit: 100 });
    expect(allCaptured.map((e) => e.metadata.organizationId)).toContain('someone-else');
  });

  it('filters by a half-open time range', async () => {
    const streamId = uniqueStreamId();
    const streamType = `timed-${randomUUID()}`;
    for (let i = 0; i < 3; i++) {
      await appendToStream(db, {
        streamId,
        streamType,
        expectedVersion: i === 0 ? 'no_stream' : i,
        events: [newEvent()],
      });
      await untilClockPassesLastEventOf(streamId);
    }
    const [first, second, third] = await readStream(db, streamId);
    const between = await readEvents(db, { streamType, from: first!.recordedAt, to: third!.recordedAt, limit: 10 });
    expect(ids(between)).toEqual([first!.eventId, second!.eventId]);
    const fromSecond = await readEvents(db, { streamType, from: second!.recordedAt, limit: 10 });
    expect(ids(fromSecond)).toEqual([second!.eventId, third!.eventId]);
  });
});

describe('readByCorrelationId', () => {
  it('returns the events of one correlation id across streams, in global order', async () => {
    const correlationId = `corr-${randomUUID()}`;
    const [a, b] = [uniqueStreamId('a'), uniqueStreamId('b')];
    const expected: string[] = [];
    const append = async (streamId: string, expectedVersion: 'no_stream' | number, correlated: boolean) => {
      const event = newEvent({ metadata: correlated ? { correlationId } : { correlationId: 'other' } });
      await appendToStream(db, { streamId, streamType: 'test', expectedVersion, events: [event] });
      if (correlated) expected.push(event.eventId);
    };
    await append(a, 'no_stream', true);
    await append(b, 'no_stream', true);
    await append(a, 1, false);
    await append(a, 2, true);

    const events = await readByCorrelationId(db, correlationId);
    expect(ids(events)).toEqual(expected);
    expect(ids(await readByCorrelationId(db, correlationId, { limit: 2 }))).toEqual(expected.slice(0, 2));
  });
});

describe('readStream', () => {
  it('reads a version range and the stream as it was at an instant', async () => {
    const streamId = uniqueStreamId();
    const first = [newEvent(), newEvent(), newEvent()];
    await appendToStream(db, { streamId, streamType: 'test', expectedVersion: 'no_stream', events: first });
    await untilClockPassesLastEventOf(streamId);
    await appendToStream(db, { streamId, streamType: 'test', expectedVersion: 3, events: [newEvent(), newEvent()] });

    const all = await readStream(db, streamId);
    expect(all.map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5]);
    expect((await readStream(db, streamId, { fromVersion: 2, toVersion: 4 })).map((e) => e.streamVersion)).toEqual([
      2, 3, 4,
    ]);
    expect((await readStream(db, streamId, { fromVersion: 4 })).map((e) => e.streamVersion)).toEqual([4, 5]);
    expect((await readStream(db, streamId, { fromVersion: 2, limit: 2 })).map((e) => e.streamVersion)).toEqual([2, 3]);
    // A recordedAt read back is an exact bound: recorded_at keeps milliseconds, like a Date.
    const asOfFirstAppend = await readStream(db, streamId, { recordedUpTo: all[2]!.recordedAt });
    expect(ids(asOfFirstAppend)).toEqual(first.map((e) => e.eventId));
    expect(await readStream(db, uniqueStreamId())).toEqual([]);
  });
});
