/**
 * Proves the append runs as a named prepared statement (platform's prepareAs + PreparingClient): on
 * one connection, Postgres holds one prepared statement per append shape, reused by every later
 * append of that shape, while unmarked statements are not prepared; and the prepared append still
 * refuses a wrong expected version.
 */
import { sql } from 'kysely';
import { appendToStream } from './append-to-stream';
import { StreamVersionConflictError } from './errors';
import {
  createEventStoreTestDatabase,
  newEvent,
  uniqueStreamId,
  type EventStoreTestDatabase,
} from './test-support/event-store-test-database';

let store: EventStoreTestDatabase;

beforeAll(async () => {
  // One connection: pg_prepared_statements is per session.
  store = await createEventStoreTestDatabase(1);
});

afterAll(async () => {
  await store?.dispose();
});

const preparedStatements = async () =>
  (
    await sql<{
      name: string;
      calls: string;
    }>`SELECT name, generic_plans + custom_plans AS calls FROM pg_prepared_statements ORDER BY name`.execute(store.db)
  ).rows;

describe('the append as a prepared statement', () => {
  it('is prepared once per shape on a connection and reused by later appends', async () => {
    expect(await preparedStatements()).toEqual([]);
    const streams = [uniqueStreamId('payment'), uniqueStreamId('payment'), uniqueStreamId('payment')];
    for (const streamId of streams) {
      await appendToStream(store.db, {
        streamId,
        streamType: 'payment',
        expectedVersion: 'no_stream',
        events: [newEvent(), newEvent()],
      });
    }
    await appendToStream(store.db, {
      streamId: streams[0]!,
      streamType: 'payment',
      expectedVersion: 2,
      events: [newEvent()],
    });

    const prepared = await preparedStatements();
    expect(prepared.map((statement) => statement.name.replace(/_[0-9a-f]{12}$/, ''))).toEqual([
      'event_store_append_no_stream',
      'event_store_append_version',
    ]);
    const noStream = prepared.find((statement) => statement.name.startsWith('event_store_append_no_stream'))!;
    expect(Number(noStream.calls)).toBe(3);
  });

  it('still refuses a wrong expected version', async () => {
    const streamId = uniqueStreamId('payment');
    await appendToStream(store.db, {
      streamId,
      streamType: 'payment',
      expectedVersion: 'no_stream',
      events: [newEvent()],
    });
    await expect(
      appendToStream(store.db, { streamId, streamType: 'payment', expectedVersion: 5, events: [newEvent()] }),
    ).rejects.toBeInstanceOf(StreamVersionConflictError);
  });
});
