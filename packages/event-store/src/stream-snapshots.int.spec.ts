import { loadSnapshot, saveSnapshot } from './stream-snapshots';
import {
  createEventStoreTestDatabase,
  uniqueStreamId,
  type EventStoreTestDatabase,
} from './test-support/event-store-test-database';

let store: EventStoreTestDatabase;

beforeAll(async () => {
  store = await createEventStoreTestDatabase(4);
});

afterAll(async () => {
  await store?.dispose();
});

describe('stream snapshots', () => {
  it('answers null for a stream without a snapshot', async () => {
    expect(await loadSnapshot(store.db, uniqueStreamId(), 1)).toBeNull();
  });

  it('keeps the newest snapshot: an older one saved late does not replace it', async () => {
    const streamId = uniqueStreamId('billing');
    await saveSnapshot(store.db, { streamId, version: 5, schemaVersion: 1, state: { total: '5', nested: [1, null] } });
    await saveSnapshot(store.db, { streamId, version: 3, schemaVersion: 1, state: { total: '3' } });

    expect(await loadSnapshot(store.db, streamId, 1)).toEqual({
      streamId,
      version: 5,
      schemaVersion: 1,
      state: { total: '5', nested: [1, null] },
    });

    await saveSnapshot(store.db, { streamId, version: 9, schemaVersion: 1, state: { total: '9' } });
    expect((await loadSnapshot(store.db, streamId, 1))?.state).toEqual({ total: '9' });
  });

  it('ignores a snapshot of another state schema, and a new schema replaces it at any version', async () => {
    const streamId = uniqueStreamId('billing');
    await saveSnapshot(store.db, { streamId, version: 7, schemaVersion: 1, state: { old: true } });

    expect(await loadSnapshot(store.db, streamId, 2)).toBeNull();
    await saveSnapshot(store.db, { streamId, version: 4, schemaVersion: 2, state: { new: true } });
    expect(await loadSnapshot(store.db, streamId, 2)).toMatchObject({ version: 4, state: { new: true } });
  });
});
