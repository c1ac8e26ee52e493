import type { Transaction } from 'kysely';
import type { RecordedEvent } from '@gyroscops/event-store';

/** What a batch changed, so caches can drop exactly those entries. */
export interface ProjectionChanges {
  paymentIds: string[];
  organizationIds: string[];
  /** Every row may have changed (a rebuild's swap): caches drop everything the projection could have served. */
  everything?: boolean;
}

/**
 * What to do with an event whose `apply` keeps failing after its retries: `park` it in the dead-letter
 * table and move on (the read model misses that one event until an operator retries it), or `halt`
 * the projection until an operator resumes it (the read model stays consistent but stops moving).
 */
export type PoisonPolicy = 'park' | 'halt';

/**
 * A read model kept up to date from the event store. `apply` writes its rows inside the transaction
 * it is given, the same one that moves the checkpoint: a batch is applied entirely, or not at all.
 * `apply` must use unqualified table names: a rebuild runs it with the shadow schema first on the
 * search path, so the same code fills the shadow tables.
 */
export interface Projection<Tables = any> {
  name: string;
  /** Bump it when `apply` changes meaning: the worker then rebuilds the read model at start-up. */
  version: number;
  /** Event types `apply` cares about; others only move the checkpoint. */
  eventTypes: readonly string[];
  /** The tables `apply` writes (all in the read database's public schema): a rebuild recreates them. */
  tables: readonly string[];
  poisonPolicy: PoisonPolicy;
  apply(events: RecordedEvent[], trx: Transaction<Tables>): Promise<ProjectionChanges>;
}

export const NO_CHANGES: ProjectionChanges = Object.freeze({
  paymentIds: [],
  organizationIds: [],
}) as ProjectionChanges;
/** What a rebuild's swap changed: every row, so caches drop everything the projection could have served. */
export const EVERYTHING_CHANGED: ProjectionChanges = Object.freeze({
  paymentIds: [],
  organizationIds: [],
  everything: true,
}) as ProjectionChanges;
