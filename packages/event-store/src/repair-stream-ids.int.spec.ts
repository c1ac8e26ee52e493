import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { appendToStream } from './append-to-stream';
import { readStream } from './read-stream';
import { canonicalStreamId, planStreamIdRepairs, repairStreamIds } from './repair-stream-ids';
import {
  createEventStoreTestDatabase,
  newEvent,
  type EventStoreTestDatabase,
} from './test-support/event-store-test-database';
import { respellStreamAsBefore } from './test-support/stream-spelled-as-before';
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

/** A payment stream as the API wrote one before ids were canonicalized: the id spelled as the client sent it. */
async function paymentStream(paymentId: string, organizationId: string, events = 2): Promise<void> {
  const streamId = `payment-${paymentId}`;
  // The append path takes canonical ids only: a stream spelled otherwise is written under a fresh id, then respelled.
  const writtenAs = canonicalStreamId(streamId) === streamId ? streamId : `payment-${randomUUID()}`;
  await appendToStream(db, {
    streamId: writtenAs,
    streamType: 'payment',
    expectedVersion: 'no_stream',
    events: Array.from({ length: events }, (_, index) =>
      newEvent({
        type: index === 0 ? 'PaymentInitiated' : 'PaymentProcessed',
        data: { paymentId, organizationId, step: index },
        metadata: { organizationId, correlationId: `corr-${paymentId}` },
      }),
    ),
  });
  if (writtenAs !== streamId) await respellStreamAsBefore(db, writtenAs, streamId);
}

/** Every event of the store, keyed by event id: what must survive a repair unchanged but for its stream id and id fields. */
async function allEvents() {
  const rows = await db
    .selectFrom('events')
    .select(['event_id', 'position', 'stream_id', 'stream_version', 'type', 'data', 'metadata', 'recorded_at'])
    .orderBy('position')
    .execute();
  return new Map(rows.map((row) => [row.event_id, row]));
}

/** A UUID with letters in known places, so its spellings surely differ. */
const lettered = () => `abcd${randomUUID().slice(4)}`;
/** Another spelling: only the first two letters in upper case. */
const partlyUpper = (id: string) => `${id.slice(0, 2).toUpperCase()}${id.slice(2)}`;

describe('repairStreamIds', () => {
  const orgA = `org-a-${randomUUID()}`;
  const orgB = `org-b-${randomUUID()}`;
  const lone = lettered();
  const split = lettered();
  const urn = lettered();
  const twice = lettered();
  const untouched = lettered();

  beforeAll(async () => {
    await paymentStream(lone.toUpperCase(), orgA);
    // The probe's cross-organization case: A creates the payment, B posts the same id in upper case.
    await paymentStream(split, orgA);
    await paymentStream(split.toUpperCase(), orgB);
    await paymentStream(`urn:uuid:${urn}`, orgA, 1);
    // Two spellings and no canonical stream: the older one takes the id.
    await paymentStream(twice.toUpperCase(), orgA, 1);
    await paymentStream(partlyUpper(twice), orgB, 1);
    await paymentStream(untouched, orgA);
  });

  it('plans without changing anything: rename when the id is free, re-key when another stream has it', async () => {
    const before = await allEvents();
    const plan = await planStreamIdRepairs(db, { quietForMs: 0 });
    const byStream = new Map(plan.map((repair) => [repair.streamId, repair]));

    expect(byStream.get(`payment-${lone.toUpperCase()}`)).toMatchObject({
      kind: 'rename',
      targetStreamId: `payment-${lone}`,
      organizationId: orgA,
      events: 2,
    });
    const rekey = byStream.get(`payment-${split.toUpperCase()}`);
    expect(rekey).toMatchObject({ kind: 'rekey', organizationId: orgB, events: 2 });
    expect(rekey?.targetStreamId).toMatch(
      /^payment-[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(byStream.get(`payment-urn:uuid:${urn}`)).toMatchObject({ kind: 'rename', targetStreamId: `payment-${urn}` });
    expect(byStream.get(`payment-${twice.toUpperCase()}`)).toMatchObject({
      kind: 'rename',
      targetStreamId: `payment-${twice}`,
    });
    expect(byStream.get(`payment-${partlyUpper(twice)}`)).toMatchObject({ kind: 'rekey', organizationId: orgB });
    expect(byStream.has(`payment-${split}`)).toBe(false);
    expect(byStream.has(`payment-${untouched}`)).toBe(false);
    // A dry run and the repair name the same new id.
    expect((await planStreamIdRepairs(db, { quietForMs: 0 })).map((repair) => repair.targetStreamId)).toEqual(
      plan.map((repair) => repair.targetStreamId),
    );
    expect(await allEvents()).toEqual(before);
  });

  it('holds streams appended to within the quiet period, and the later spellings of their ids', async () => {
    const plan = await planStreamIdRepairs(db);
    expect(plan.length).toBeGreaterThan(0);
    expect(plan.every((repair) => repair.kind === 'hold' && repair.targetStreamId === null)).toBe(true);
    expect(plan.find((repair) => repair.streamId === `payment-${partlyUpper(twice)}`)?.reason).toContain(
      `payment-${twice.toUpperCase()}`,
    );
  });

  it('moves every event and drops none: same ids, positions, versions, types, metadata and times; only the stream id and the id fields change', async () => {
    const before = await allEvents();
    const plan = await repairStreamIds(db, { quietForMs: 0 });
    const after = await allEvents();

    // How we know nothing is lost or doubled: the same event ids, each once, before and after.
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    const moved = new Map(plan.map((repair) => [repair.streamId, repair]));
    for (const [eventId, old] of before) {
      const now = after.get(eventId)!;
      const repair = moved.get(old.stream_id);
      expect({ ...now, stream_id: undefined, data: undefined }).toEqual({
        ...old,
        stream_id: undefined,
        data: undefined,
      });
      if (!repair) {
        expect(now).toEqual(old);
        continue;
      }
      const newId = repair.targetStreamId!.slice('payment-'.length);
      expect(now.stream_id).toBe(repair.targetStreamId);
      expect(now.data).toEqual({ ...old.data, paymentId: newId });
    }
    // Streams: each id once, canonical, with its owner and version kept.
    const streams = await db.selectFrom('streams').select(['stream_id', 'organization_id', 'version']).execute();
    expect(streams.filter((stream) => canonicalStreamId(stream.stream_id) !== stream.stream_id)).toEqual([]);
    expect(streams.find((stream) => stream.stream_id === `payment-${split}`)).toMatchObject({
      organization_id: orgA,
      version: 2,
    });
    const rekeyed = moved.get(`payment-${split.toUpperCase()}`)!.targetStreamId!;
    expect(streams.find((stream) => stream.stream_id === rekeyed)).toMatchObject({ organization_id: orgB, version: 2 });
    expect((await readStream(db, `payment-${split}`)).every((event) => event.metadata.organizationId === orgA)).toBe(
      true,
    );
  });

  it('records each move as evidence', async () => {
    const rows = await db.selectFrom('stream_id_repairs').selectAll().orderBy('id').execute();
    expect(rows.map((row) => [row.action, row.stream_id_before])).toEqual([
      ['renamed', `payment-${lone.toUpperCase()}`],
      ['rekeyed', `payment-${split.toUpperCase()}`],
      ['renamed', `payment-urn:uuid:${urn}`],
      ['renamed', `payment-${twice.toUpperCase()}`],
      ['rekeyed', `payment-${partlyUpper(twice)}`],
    ]);
    const rekeyed = rows[1]!;
    expect(rekeyed).toMatchObject({ organization_id: orgB, stream_type: 'payment' });
    expect(rekeyed.event_ids).toHaveLength(2);
  });

  it('leaves the events append-only again, and the repaired streams appendable at their versions', async () => {
    await expect(sql`UPDATE events SET type = type WHERE stream_id = ${`payment-${lone}`}`.execute(db)).rejects.toThrow(
      /append-only/,
    );
    const appended = await appendToStream(db, {
      streamId: `payment-${lone}`,
      streamType: 'payment',
      expectedVersion: 2,
      events: [newEvent({ metadata: { organizationId: orgA } })],
    });
    expect(appended.nextVersion).toBe(3);
  });

  it('finds nothing more to do on a second run', async () => {
    expect(await repairStreamIds(db, { quietForMs: 0 })).toEqual([]);
  });
});
