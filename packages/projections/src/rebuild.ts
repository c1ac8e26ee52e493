import { sql, type Kysely, type Transaction } from 'kysely';
import { countEventsAfter, readAll, type EventStoreDb, type RecordedEvent } from '@gyroscops/event-store';
import { applyEvents } from './apply-events';
import { parkEvents } from './dead-letters';
import { lockCheckpoint } from './projection-checkpoints';
import type { Projection } from './projection';
import {
  createShadowIndexes,
  createShadowTables,
  shadowSchemaOf,
  swapShadowTables,
  useShadowSchema,
} from './shadow-tables';
import type { ProjectionTables, RebuildRow } from './tables';

export interface RebuildProgress {
  projection: string;
  position: bigint;
  eventsDone: number;
  eventsTotal: number;
  startedAt: Date;
  caughtUp: boolean;
  /** A poison event stopped the rebuild (the projection's `halt` policy); `lastError` names it. */
  halted: boolean;
  /** Why the last batch failed, or what halted the rebuild; null once a batch commits. */
  lastError: string | null;
}

export interface RebuildBatchOptions {
  /**
   * Apply event by event behind savepoints, as a live batch does once it kept failing: the poison
   * event is parked (policy `park`) or halts the rebuild (policy `halt`), instead of failing forever.
   */
  isolate?: boolean;
}

/** Counting is capped: past this, the total is an estimate and progress is shown against it. */
const MAX_COUNT = 100_000_000;

const progressOf = (row: RebuildRow, caughtUp: boolean): RebuildProgress => ({
  projection: row.projection,
  position: BigInt(row.position),
  eventsDone: Number(row.events_done),
  eventsTotal: Math.max(Number(row.events_total), Number(row.events_done)),
  startedAt: row.started_at,
  caughtUp,
  halted: row.state === 'halted',
  lastError: row.last_error,
});

const DEAD_LETTERS = 'projection_dead_letters';

/**
 * The rebuild's own dead-letter table, in its shadow schema: events it parks there replace the
 * projection's parked events at the swap (the old ones belonged to the old tables). Created on
 * demand too, for a rebuild prepared before the table existed.
 */
async function ensureShadowDeadLetters(trx: Transaction<ProjectionTables>, schema: string): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS ${sql.id(schema, DEAD_LETTERS)} (LIKE ${sql.id('public', DEAD_LETTERS)} INCLUDING ALL)`.execute(
    trx,
  );
}

/**
 * Starts (or restarts) a rebuild: empty shadow copies of the projection's tables, a rebuild row at
 * position 0, and the live checkpoint marked `rebuilding`. The live tables keep serving and updating.
 */
export async function prepareRebuild(
  readDb: Kysely<ProjectionTables>,
  eventStore: EventStoreDb,
  projection: Projection,
): Promise<RebuildProgress> {
  const schema = shadowSchemaOf(projection.name);
  const total = await countEventsAfter(eventStore, 0n, MAX_COUNT);
  return readDb.transaction().execute(async (trx) => {
    await createShadowTables(trx, schema, projection.tables);
    await ensureShadowDeadLetters(trx, schema);
    const row = await trx
      .insertInto('projection_rebuilds')
      .values({
        projection: projection.name,
        shadow_schema: schema,
        version: projection.version,
        position: '0',
        events_done: '0',
        events_total: String(total),
        state: 'running',
        last_error: null,
      })
      .onConflict((conflict) =>
        conflict.column('projection').doUpdateSet({
          shadow_schema: schema,
          version: projection.version,
          position: '0',
          events_done: '0',
          events_total: String(total),
          state: 'running',
          last_error: null,
          started_at: sql`now()`,
          updated_at: sql`now()`,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('projection_checkpoints')
      .set({ state: 'rebuilding', updated_at: sql`now()` })
      .where('projection', '=', projection.name)
      .where('state', '!=', 'halted')
      .execute();
    return progressOf(row, false);
  });
}

/**
 * The next page of a rebuild is read from the event store while the current one is applied to the
 * read database (two databases, two connections): one read ahead per projection and event store.
 * Any gap-safe page after a position stays valid later (nothing can appear below the bound it was
 * read at), so a page read ahead is exactly what reading it later would give, or a prefix of it.
 */
const readAhead = new WeakMap<
  EventStoreDb,
  Map<string, { after: bigint; limit: number; page: Promise<RecordedEvent[] | undefined> }>
>();

function readPage(
  eventStore: EventStoreDb,
  projection: string,
  after: bigint,
  limit: number,
): Promise<RecordedEvent[]> {
  const ahead = readAhead.get(eventStore)?.get(projection);
  readAhead.get(eventStore)?.delete(projection);
  if (ahead && ahead.after === after && ahead.limit === limit) {
    return ahead.page.then((page) => page ?? readAll(eventStore, { after, limit }));
  }
  return readAll(eventStore, { after, limit });
}

function readNextPageAhead(eventStore: EventStoreDb, projection: string, after: bigint, limit: number): void {
  let pages = readAhead.get(eventStore);
  if (!pages) readAhead.set(eventStore, (pages = new Map()));
  // A failed read ahead is simply read again when needed.
  pages.set(projection, { after, limit, page: readAll(eventStore, { after, limit }).catch(() => undefined) });
}

/**
 * Applies the next page into the shadow tables and moves the rebuild row past what it accounted for,
 * with the live batches' poison policy when isolating: parked events go to the shadow's dead letters;
 * a halting one stops the rebuild there (the live projection, which never stopped, is `live` again).
 */
async function applyShadowPage(
  trx: Transaction<ProjectionTables>,
  eventStore: EventStoreDb,
  projection: Projection,
  row: RebuildRow,
  batchSize: number,
  options: RebuildBatchOptions,
) {
  if (row.state === 'halted') return { row, read: 0, halted: true };
  const events = await readPage(eventStore, projection.name, BigInt(row.position), batchSize);
  if (events.length === 0) return { row, read: 0, halted: false };
  const last = events[events.length - 1]!.position;
  if (events.length === batchSize) readNextPageAhead(eventStore, projection.name, last, batchSize);
  await useShadowSchema(trx, row.shadow_schema);
  const applied = await applyEvents(trx, projection, events, { isolate: options.isolate });
  if (applied.poisoned.length > 0) {
    await ensureShadowDeadLetters(trx, row.shadow_schema);
    await parkEvents(trx, projection.name, applied.poisoned, row.shadow_schema);
  }
  const position = applied.lastPosition ?? BigInt(row.position);
  const accounted = events.filter((event) => event.position <= position).length;
  const halt =
    applied.haltedAt &&
    `event ${applied.haltedAt.event.eventId} at ${applied.haltedAt.event.position}: ${applied.haltedAt.error}`;
  const updated = await trx
    .updateTable('projection_rebuilds')
    .set({
      position: position.toString(),
      events_done: sql`events_done + ${accounted}`,
      state: halt ? 'halted' : 'running',
      last_error: halt ?? null,
      updated_at: sql`now()`,
    })
    .where('projection', '=', projection.name)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (halt) {
    await trx
      .updateTable('projection_checkpoints')
      .set({ state: 'live', updated_at: sql`now()` })
      .where('projection', '=', projection.name)
      .where('state', '=', 'rebuilding')
      .execute();
  }
  return { row: updated as RebuildRow, read: events.length, halted: Boolean(halt) };
}

/**
 * Applies the next (large) batch into the shadow tables; the rebuild row is the shadow's checkpoint.
 * Without waiting for the WAL flush at commit: nobody reads the shadow tables before the swap, and a
 * crash loses the last batches together with the rebuild row's progress (one transaction), so the
 * replay simply does them again.
 */
export async function applyRebuildBatch(
  readDb: Kysely<ProjectionTables>,
  eventStore: EventStoreDb,
  projection: Projection,
  batchSize: number,
  options: RebuildBatchOptions = {},
): Promise<RebuildProgress> {
  return readDb.transaction().execute(async (trx) => {
    await sql`SET LOCAL synchronous_commit = off`.execute(trx);
    const row = await trx
      .selectFrom('projection_rebuilds')
      .selectAll()
      .where('projection', '=', projection.name)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const page = await applyShadowPage(trx, eventStore, projection, row, batchSize, options);
    return progressOf(page.row, !page.halted && page.read < batchSize);
  });
}

/**
 * Records why a rebuild batch failed (its transaction rolled back), so `GET /projections` shows it
 * while the batch is retried; the next batch that commits clears it.
 */
export async function recordRebuildFailure(
  readDb: Kysely<ProjectionTables>,
  projection: string,
  error: unknown,
): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  await readDb
    .updateTable('projection_rebuilds')
    .set({ last_error: message, updated_at: sql`now()` })
    .where('projection', '=', projection)
    .where('state', '=', 'running')
    .execute();
}

/**
 * The switch. First, without blocking the live projection: replay up to the head and build the
 * shadow's remaining indexes. Then, in one read-database transaction: lock the live checkpoint (the
 * live applier waits), bring the shadow up to the head (the few events since), replace the live
 * tables by the shadow ones, and give the live checkpoint the shadow's position and version.
 * Readers see the old tables until the commit and the new ones after it; the live projection then
 * continues from the shadow's checkpoint.
 */
export async function swapRebuild(
  readDb: Kysely<ProjectionTables>,
  eventStore: EventStoreDb,
  projection: Projection,
  batchSize: number,
  options: RebuildBatchOptions = {},
): Promise<RebuildProgress> {
  for (;;) {
    const progress = await applyRebuildBatch(readDb, eventStore, projection, batchSize, options);
    if (progress.halted) return progress;
    if (progress.caughtUp) break;
  }
  await readDb.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('projection_rebuilds')
      .selectAll()
      .where('projection', '=', projection.name)
      .forUpdate()
      .executeTakeFirstOrThrow();
    await createShadowIndexes(trx, row.shadow_schema, projection.tables);
  });
  return readDb.transaction().execute(async (trx) => {
    await lockCheckpoint(trx, projection.name);
    let row = await trx
      .selectFrom('projection_rebuilds')
      .selectAll()
      .where('projection', '=', projection.name)
      .forUpdate()
      .executeTakeFirstOrThrow();
    for (;;) {
      const page = await applyShadowPage(trx, eventStore, projection, row, batchSize, options);
      row = page.row;
      // Halted while catching up: the halt commits, the swap does not happen.
      if (page.halted) return progressOf(row, false);
      if (page.read < batchSize) break;
    }
    // Parked events belonged to the old tables; the rebuild applied everything anew, and parked its own.
    await ensureShadowDeadLetters(trx, row.shadow_schema);
    await trx.withSchema('public').deleteFrom(DEAD_LETTERS).where('projection', '=', projection.name).execute();
    await sql`INSERT INTO ${sql.id('public', DEAD_LETTERS)} (projection, position, event_id, event_type, error, parked_at)
              SELECT projection, position, event_id, event_type, error, parked_at FROM ${sql.id(row.shadow_schema, DEAD_LETTERS)}`.execute(
      trx,
    );
    await swapShadowTables(trx, row.shadow_schema, projection.tables);
    await trx
      .updateTable('projection_checkpoints')
      .set({ position: row.position, version: row.version, state: 'live', last_error: null, updated_at: sql`now()` })
      .where('projection', '=', projection.name)
      .execute();
    await trx.deleteFrom('projection_rebuilds').where('projection', '=', projection.name).execute();
    return progressOf(row, true);
  });
}

/** The rebuild in progress for a projection, if any. */
export async function readRebuild(
  readDb: Kysely<ProjectionTables>,
  projection: string,
): Promise<RebuildProgress | undefined> {
  const row = await readDb
    .selectFrom('projection_rebuilds')
    .selectAll()
    .where('projection', '=', projection)
    .executeTakeFirst();
  return row ? progressOf(row, false) : undefined;
}
