import type { ColumnType, Selectable } from 'kysely';

export type ProjectionState = 'live' | 'rebuilding' | 'halted';

export interface ProjectionCheckpointsTable {
  projection: string;
  /** The projection's code version; a bump means its rows must be rebuilt. */
  version: number;
  /** Global position of the last event applied (int8: a string from pg, a bigint in code). */
  position: ColumnType<string, string | bigint, string | bigint>;
  state: ProjectionState;
  last_error: string | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ProjectionTables {
  projection_checkpoints: ProjectionCheckpointsTable;
}
export type ProjectionCheckpointRow = Selectable<ProjectionCheckpointsTable>;
