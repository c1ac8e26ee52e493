import type { ColumnType, Insertable, Selectable } from 'kysely';

export interface IdempotencyKeysTable {
  organization_id: string;
  idempotency_key: string;
  /** SHA-256 of the method, route and body: the same key with another request is refused. */
  request_hash: string;
  command_id: string;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  response_status: number | null;
  response_body: ColumnType<unknown, string | null, string | null> | null;
  completed_at: ColumnType<Date, Date | string | null, Date | string | null> | null;
}

export interface IdempotencyTables {
  idempotency_keys: IdempotencyKeysTable;
}

export type IdempotencyKeyRow = Selectable<IdempotencyKeysTable>;
export type NewIdempotencyKeyRow = Insertable<IdempotencyKeysTable>;
