import type { ColumnType, Insertable, Selectable } from 'kysely';
import type { OrganizationAccountState, OrganizationStatus } from '@gyroscops/domain';
import type { StoredBillingState } from './billing-state-codec';

type Int8 = ColumnType<string, string | bigint, string | bigint>;
type Json<T> = ColumnType<T, string, string>;

/**
 * One row per organization with billing or account events: its billing stream's state (plan, cycle,
 * usage as per-meter aggregates, never one row per usage record) and its account's standing.
 */
export interface OrganizationsTable {
  organization_id: string;
  /** The billing stream folded so far; null until the first plan. */
  billing_state: ColumnType<StoredBillingState | null, string | null, string | null>;
  /** Stream version of the last billing event folded in: the guard against folding one twice. */
  billing_stream_version: number;
  /** The account's standing (also in account_state), for queries over organizations. */
  status: OrganizationStatus;
  /** The account stream folded so far (plain JSON: strings, lists, flat metadata). */
  account_state: Json<OrganizationAccountState>;
  /** Stream version of the last account event folded in. */
  account_stream_version: number;
  /** Global position of the last event folded in. */
  last_position: Int8;
}

export interface OrganizationReadTables {
  organizations: OrganizationsTable;
}
export type OrganizationRow = Selectable<OrganizationsTable>;
export type NewOrganizationRow = Insertable<OrganizationsTable>;
