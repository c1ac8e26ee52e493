import type { EventStoreDb } from './tables';

/** A stream's folded state at a version, in the JSON form its writer chose (see the writer's codec). */
export interface StreamSnapshot {
  streamId: string;
  /** The stream version the state includes: load the events after it. */
  version: number;
  /** The writer's state schema: a snapshot of another schema is ignored, never upcast. */
  schemaVersion: number;
  state: unknown;
}

/**
 * Keeps the latest snapshot of a stream: an older one (a slow writer finishing late) never replaces
 * a newer one. Snapshots are a cache of what the events say, so writers take them after their
 * append, outside its transaction, and a lost snapshot only makes the next load read more events.
 */
export async function saveSnapshot(db: EventStoreDb, snapshot: StreamSnapshot): Promise<void> {
  const state = JSON.stringify(snapshot.state);
  await db
    .insertInto('stream_snapshots')
    .values({
      stream_id: snapshot.streamId,
      version: snapshot.version,
      schema_version: snapshot.schemaVersion,
      state,
      taken_at: new Date(),
    })
    .onConflict((oc) =>
      oc
        .column('stream_id')
        .doUpdateSet((eb) => ({
          version: eb.ref('excluded.version'),
          schema_version: eb.ref('excluded.schema_version'),
          state: eb.ref('excluded.state'),
          taken_at: eb.ref('excluded.taken_at'),
        }))
        .where((eb) =>
          eb.or([
            eb('stream_snapshots.version', '<', eb.ref('excluded.version')),
            eb('stream_snapshots.schema_version', '<>', eb.ref('excluded.schema_version')),
          ]),
        ),
    )
    .execute();
}

/** The stream's snapshot of `schemaVersion`, or null (none taken yet, or taken by another schema). */
export async function loadSnapshot(
  db: EventStoreDb,
  streamId: string,
  schemaVersion: number,
): Promise<StreamSnapshot | null> {
  const row = await db
    .selectFrom('stream_snapshots')
    .select(['version', 'schema_version', 'state'])
    .where('stream_id', '=', streamId)
    .executeTakeFirst();
  if (!row || row.schema_version !== schemaVersion) return null;
  return { streamId, version: row.version, schemaVersion: row.schema_version, state: row.state };
}
