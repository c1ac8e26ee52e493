import type { Transaction } from 'kysely';
import type { RecordedEvent } from '@gyroscops/event-store';

/** What a batch changed, so caches can drop exactly those entries. */
export interface ProjectionChanges {
  paymentIds: string[];
  organizationIds: string[];
}

/**
 * A read model kept up to date from the event store. `apply` writes its rows inside the transaction
 * it is given, the same one that moves the checkpoint: a batch is applied entirely, or not at all.
 */
export interface Projection<Tables = any> {
  name: string;
  /** Bump it when `apply` changes meaning: the rows must then be rebuilt. */
  version: number;
  /** Event types `apply` cares about; others only move the checkpoint. */
  eventTypes: readonly string[];
  apply(events: RecordedEvent[], trx: Transaction<Tables>): Promise<ProjectionChanges>;
}
