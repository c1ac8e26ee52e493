import type { ColumnType, Generated, Selectable } from 'kysely';

export type ProjectionState = 'live' | 'rebuilding' | 'halted';
export type RebuildState = 'running' | 'halted';
type Int8 = ColumnType<string, string | bigint, string | bigint>;

export interface ProjectionCheckpointsTable {
  projection: string;
  /** The projection's code version the rows were built with; a bump means they must be rebuilt. */
  version: number;
  /** Global position of the last event applied (int8: a string from pg, a bigint in code). */
  position: Int8;
  state: ProjectionState;
  last_error: string | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** Events a projection could not apply, parked so it could move on. */
export interface ProjectionDeadLettersTable {
  id: Generated<string>;
  projection: string;
  position: Int8;
  event_id: string;
  event_type: string;
  error: string;
  parked_at: ColumnType<Date, Date | string | undefined, never>;
}

/** A rebuild in progress: the shadow copy of a projection's tables and how far it got. */
export interface ProjectionRebuildsTable {
  projection: string;
  shadow_schema: string;
  /** The code version being built. */
  version: number;
  position: Int8;
  events_done: Int8;
  events_total: Int8;
  /** `halted`: a poison event stopped it (the projection's `halt` policy); a new rebuild starts over. */
  state: ColumnType<RebuildState, RebuildState | undefined, RebuildState>;
  /** Why its last batch failed (cleared by the next one that commits), or what halted it. */
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
  started_at: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ProjectionTables {
  projection_checkpoints: ProjectionCheckpointsTable;
  projection_dead_letters: ProjectionDeadLettersTable;
  projection_rebuilds: ProjectionRebuildsTable;
}
export type ProjectionCheckpointRow = Selectable<ProjectionCheckpointsTable>;
export type DeadLetterRow = Selectable<ProjectionDeadLettersTable>;
export type RebuildRow = Selectable<ProjectionRebuildsTable>;
