import { sql, type Kysely, type Transaction } from 'kysely';
import type { ProjectionCheckpointRow, ProjectionState, ProjectionTables } from './tables';

export interface ProjectionCheckpoint {
  projection: string;
  version: number;
  position: bigint;
  state: ProjectionState;
  lastError: string | null;
  updatedAt: Date;
}

function toCheckpoint(row: ProjectionCheckpointRow): ProjectionCheckpoint {
  return {
    projection: row.projection,
    version: row.version,
    position: BigInt(row.position),
    state: row.state,
    lastError: row.last_error,
    updatedAt: row.updated_at,
  };
}

/** Creates the checkpoint row at position 0 when the projection has none yet. */
export async function ensureCheckpoint(
  db: Kysely<ProjectionTables>,
  projection: string,
  version: number,
): Promise<void> {
  await db
    .insertInto('projection_checkpoints')
    .values({ projection, version, position: '0', state: 'live', last_error: null })
    .onConflict((conflict) => conflict.column('projection').doNothing())
    .execute();
}

/**
 * Reads and row-locks a projection's checkpoint inside the batch transaction: a second applier of
 * the same projection waits here, then starts from where the first one stopped.
 */
export async function lockCheckpoint(
  trx: Transaction<ProjectionTables>,
  projection: string,
): Promise<ProjectionCheckpoint> {
  const row = await trx
    .selectFrom('projection_checkpoints')
    .selectAll()
    .where('projection', '=', projection)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return toCheckpoint(row);
}

export async function saveCheckpoint(
  trx: Transaction<ProjectionTables>,
  projection: string,
  position: bigint,
): Promise<void> {
  await trx
    .updateTable('projection_checkpoints')
    .set({ position: position.toString(), last_error: null, updated_at: sql`now()` })
    .where('projection', '=', projection)
    .execute();
}

/**
 * Locks the checkpoint row and moves it from `from` to `to` in one statement, unless another applier
 * moved it meanwhile or the projection is halted (false then, and nothing changed). Under READ
 * COMMITTED the UPDATE waits for a concurrent holder of the lock, then re-checks its condition.
 */
export async function advanceCheckpointFrom(
  trx: Transaction<ProjectionTables>,
  projection: string,
  from: bigint,
  to: bigint,
): Promise<boolean> {
  const result = await trx
    .updateTable('projection_checkpoints')
    .set({ position: to.toString(), last_error: null, updated_at: sql`now()` })
    .where('projection', '=', projection)
    .where('position', '=', from.toString())
    .where('state', '!=', 'halted')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function readCheckpoints(
  db: Kysely<ProjectionTables>,
  projections?: readonly string[],
): Promise<ProjectionCheckpoint[]> {
  if (projections?.length === 0) return [];
  const rows = await db
    .selectFrom('projection_checkpoints')
    .selectAll()
    .$if(projections !== undefined, (query) => query.where('projection', 'in', projections as string[]))
    .orderBy('projection')
    .execute();
  return rows.map(toCheckpoint);
}

/** Stops a projection on a poison event (the `halt` policy): it applies nothing until resumed. */
export async function haltCheckpoint(
  trx: Transaction<ProjectionTables>,
  projection: string,
  error: string,
): Promise<void> {
  await trx
    .updateTable('projection_checkpoints')
    .set({ state: 'halted', last_error: error, updated_at: sql`now()` })
    .where('projection', '=', projection)
    .execute();
}

/** Lets a halted projection try again from its checkpoint (after the code or the data was fixed). */
export async function resumeCheckpoint(db: Kysely<ProjectionTables>, projection: string): Promise<boolean> {
  const result = await db
    .updateTable('projection_checkpoints')
    .set({ state: 'live', last_error: null, updated_at: sql`now()` })
    .where('projection', '=', projection)
    .where('state', '=', 'halted')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function setCheckpointState(
  db: Kysely<ProjectionTables>,
  projection: string,
  state: ProjectionState,
): Promise<void> {
  await db
    .updateTable('projection_checkpoints')
    .set({ state, updated_at: sql`now()` })
    .where('projection', '=', projection)
    .execute();
}
