import { sql, type Kysely, type Transaction } from 'kysely';
import { countEventsAfter, readAll, type EventStoreDb } from '@gyroscops/event-store';
import { applyEvents } from './apply-events';
import { lockCheckpoint } from './projection-checkpoints';
import type { Projection } from './projection';
import { createShadowTables, shadowSchemaOf, swapShadowTables, useShadowSchema } from './shadow-tables';
import type { ProjectionTables, RebuildRow } from './tables';

export interface RebuildProgress {
  projection: string;
  position: bigint;
  eventsDone: number;
  eventsTotal: number;
  startedAt: Date;
  caughtUp: boolean;
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
});

/**
 * Starts (or restarts) a rebuild: empty shadow copies of the projection's tables, a rebuild row at
 * position 0, and the live checkpoint marked `rebuilding`. The live tables keep serving and updating.
 */
export async function prepareRebuild(readDb: Kysely<ProjectionTables>, eventStore: EventStoreDb, projection: Projection): Promise<RebuildProgress> {
  const schema = shadowSchemaOf(projection.name);
  const total = await countEventsAfter(eventStore, 0n, MAX_COUNT);
  return readDb.transaction().execute(async (trx) => {
    await createShadowTables(trx, schema, projection.tables);
    const row = await trx
      .insertInto('projection_rebuilds')
      .values({ projection: projection.name, shadow_schema: schema, version: projection.version, position: '0', events_done: '0', events_total: String(total) })
      .onConflict((conflict) =>
        conflict.column('projection').doUpdateSet({ shadow_schema: schema, version: projection.version, position: '0', events_done: '0', events_total: String(total), started_at: sql`now()`, updated_at: sql`now()` }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx.updateTable('projection_checkpoints').set({ state: 'rebuilding', updated_at: sql`now()` }).where('projection', '=', projection.name).where('state', '!=', 'halted').execute();
    return progressOf(row, false);
  });
}

async function applyShadowPage(trx: Transaction<ProjectionTables>, eventStore: EventStoreDb, projection: Projection, row: RebuildRow, batchSize: number) {
  const events = await readAll(eventStore, { after: BigInt(row.position), limit: batchSize });
  if (events.length === 0) return { row, read: 0 };
  await useShadowSchema(trx, row.shadow_schema);
  await applyEvents(trx, projection, events);
  const updated = await trx
    .updateTable('projection_rebuilds')
    .set({ position: events[events.length - 1]!.position.toString(), events_done: sql`events_done + ${events.length}`, updated_at: sql`now()` })
    .where('projection', '=', projection.name)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { row: updated as RebuildRow, read: events.length };
}

/** Applies the next (large) batch into the shadow tables; the rebuild row is the shadow's checkpoint. */
export async function applyRebuildBatch(readDb: Kysely<ProjectionTables>, eventStore: EventStoreDb, projection: Projection, batchSize: number): Promise<RebuildProgress> {
  return readDb.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('projection_rebuilds').selectAll().where('projection', '=', projection.name).forUpdate().executeTakeFirstOrThrow();
    const page = await applyShadowPage(trx, eventStore, projection, row, batchSize);
    return progressOf(page.row, page.read < batchSize);
  });
}

/**
 * The switch, in one read-database transaction: lock the live checkpoint (the live applier waits),
 * bring the shadow up to the head, replace the live tables by the shadow ones, and give the live
 * checkpoint the shadow's position and version. Readers see the old tables until the commit and the
 * new ones after it; the live projection then continues from the shadow's checkpoint.
 */
export async function swapRebuild(readDb: Kysely<ProjectionTables>, eventStore: EventStoreDb, projection: Projection, batchSize: number): Promise<RebuildProgress> {
  return readDb.transaction().execute(async (trx) => {
    await lockCheckpoint(trx, projection.name);
    let row = await trx.selectFrom('projection_rebuilds').selectAll().where('projection', '=', projection.name).forUpdate().executeTakeFirstOrThrow();
    for (;;) {
      const page = await applyShadowPage(trx, eventStore, projection, row, batchSize);
      row = page.row;
      if (page.read < batchSize) break;
    }
    await swapShadowTables(trx, row.shadow_schema, projection.tables);
    await trx
      .updateTable('projection_checkpoints')
      .set({ position: row.position, version: row.version, state: 'live', last_error: null, updated_at: sql`now()` })
      .where('projection', '=', projection.name)
      .execute();
    // Parked events belonged to the old tables; the rebuild applied (or refused) everything anew.
    await trx.deleteFrom('projection_dead_letters').where('projection', '=', projection.name).execute();
    await trx.deleteFrom('projection_rebuilds').where('projection', '=', projection.name).execute();
    return progressOf(row, true);
  });
}

/** The rebuild in progress for a projection, if any. */
export async function readRebuild(readDb: Kysely<ProjectionTables>, projection: string): Promise<RebuildProgress | undefined> {
  const row = await readDb.selectFrom('projection_rebuilds').selectAll().where('projection', '=', projection).executeTakeFirst();
  return row ? progressOf(row, false) : undefined;
}
