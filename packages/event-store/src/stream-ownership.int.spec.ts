import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { appendInTransaction, appendToStream } from './append-to-stream';
import { InvalidAppendError, StreamOwnershipError, StreamVersionConflictError } from './errors';
import * as streamsOwnedByOneOrganization from './migrations/2026-12-06T000000_streams_owned_by_one_organization';
import { readStream } from './read-stream';
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

const actingFor = (organizationId: string | undefined) =>
  newEvent({ metadata: organizationId === undefined ? {} : { organizationId } });
const refusalOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('a stream belongs to one organization', () => {
  const orgA = `org-a-${randomUUID()}`;
  const orgB = `org-b-${randomUUID()}`;

  it('is owned by the organization its first append acts for', async () => {
    const streamId = uniqueStreamId('payment');
    await appendToStream(db, {
      streamId,
      streamType: 'payment',
      expectedVersion: 'no_stream',
      events: [actingFor(orgA)],
    });
    const row = await db
      .selectFrom('streams')
      .select('organization_id')
      .where('stream_id', '=', streamId)
      .executeTakeFirstOrThrow();
    expect(row.organization_id).toBe(orgA);
  });

  it('refuses an append acting for another organization, at the expected version or any, and stores nothing', async () => {
    const streamId = uniqueStreamId('payment');
    await appendToStream(db, {
      streamId,
      streamType: 'payment',
      expectedVersion: 'no_stream',
      events: [actingFor(orgA)],
    });

    for (const expectedVersion of [1, 'any'] as const) {
      const refused = await refusalOf(
        appendToStream(db, { streamId, streamType: 'payment', expectedVersion, events: [actingFor(orgB)] }),
      );
      expect(refused).toBeInstanceOf(StreamOwnershipError);
      expect(refused).toMatchObject({ streamId, organizationId: orgB });
    }
    const inTransaction = await refusalOf(
      db
        .transaction()
        .execute((trx) =>
          appendInTransaction(trx, { streamId, streamType: 'payment', expectedVersion: 1, events: [actingFor(orgB)] }),
        ),
    );
    expect(inTransaction).toBeInstanceOf(StreamOwnershipError);

    expect((await readStream(db, streamId)).map((event) => event.metadata.organizationId)).toEqual([orgA]);
  });

  it('answers a creation of an existing stream as a plain conflict, whoever owns it (nothing about the owner leaks)', async () => {
    const streamId = uniqueStreamId('payment');
    await appendToStream(db, {
      streamId,
      streamType: 'payment',
      expectedVersion: 'no_stream',
      events: [actingFor(orgA)],
    });
    const own = await refusalOf(
      appendToStream(db, { streamId, streamType: 'payment', expectedVersion: 'no_stream', events: [actingFor(orgA)] }),
    );
    const other = await refusalOf(
      appendToStream(db, { streamId, streamType: 'payment', expectedVersion: 'no_stream', events: [actingFor(orgB)] }),
    );
    expect(own).toBeInstanceOf(StreamVersionConflictError);
    expect(other).toBeInstanceOf(StreamVersionConflictError);
    expect((other as Error).message).toBe((own as Error).message);
  });

  it('lets its owner and organization-neutral events append', async () => {
    const streamId = uniqueStreamId('payment');
    await appendToStream(db, {
      streamId,
      streamType: 'payment',
      expectedVersion: 'no_stream',
      events: [actingFor(orgA)],
    });
    await appendToStream(db, {
      streamId,
      streamType: 'payment',
      expectedVersion: 1,
      events: [actingFor(orgA), actingFor(undefined)],
    });
    await appendToStream(db, {
      streamId,
      streamType: 'payment',
      expectedVersion: 'any',
      events: [actingFor(undefined)],
    });
    expect((await readStream(db, streamId)).map((event) => event.streamVersion)).toEqual([1, 2, 3, 4]);
  });

  it('refuses, before any I/O, one append whose events act for two organizations', async () => {
    const streamId = uniqueStreamId('payment');
    const refused = await refusalOf(
      appendToStream(db, {
        streamId,
        streamType: 'payment',
        expectedVersion: 'no_stream',
        events: [actingFor(orgA), actingFor(orgB)],
      }),
    );
    expect(refused).toBeInstanceOf(InvalidAppendError);
    expect(
      await db.selectFrom('streams').select('stream_id').where('stream_id', '=', streamId).executeTakeFirst(),
    ).toBeUndefined();
  });

  it('is given to the streams that existed before the column, from their first event (the migration)', async () => {
    const owned = uniqueStreamId('payment');
    const neutral = uniqueStreamId('system');
    const rolledBack = new Error('roll the migration test back');
    const owners = await db
      .transaction()
      .execute(async (trx) => {
        await streamsOwnedByOneOrganization.down(trx);
        await sql`INSERT INTO streams (stream_id, stream_type, version) VALUES (${owned}, 'payment', 2), (${neutral}, 'system', 1)`.execute(
          trx,
        );
        await sql`
          INSERT INTO events (position, transaction_id, stream_id, stream_type, stream_version, event_id, type, data, metadata, organization_id)
          SELECT pg_current_xact_id()::text::bigint * 1000000 + n, pg_current_xact_id(), stream_id, stream_type, stream_version, gen_random_uuid(), 'TestHappened', '{}', '{}', organization_id
          FROM (VALUES (1, ${owned}, 'payment', 1, ${orgA}), (2, ${owned}, 'payment', 2, ${orgA}), (3, ${neutral}, 'system', 1, NULL)) AS e(n, stream_id, stream_type, stream_version, organization_id)`.execute(
          trx,
        );
        await streamsOwnedByOneOrganization.up(trx);
        const rows = await trx
          .selectFrom('streams')
          .select(['stream_id', 'organization_id'])
          .where('stream_id', 'in', [owned, neutral])
          .execute();
        throw Object.assign(rolledBack, { rows });
      })
      .catch((error: unknown) => {
        if (error !== rolledBack) throw error;
        return new Map(
          (error as { rows: { stream_id: string; organization_id: string | null }[] }).rows.map((row) => [
            row.stream_id,
            row.organization_id,
          ]),
        );
      });
    expect(owners.get(owned)).toBe(orgA);
    expect(owners.get(neutral)).toBeNull();
  });
});
