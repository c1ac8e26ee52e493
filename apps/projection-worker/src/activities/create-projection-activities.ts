import type Redis from 'ioredis';
import type { Kysely } from 'kysely';
import type { EventStoreDb } from '@gyroscops/event-store';
import { announceBatch, applyNextBatch, type Projection, type ProjectionTables } from '@gyroscops/projections';

export interface ProjectionActivityDependencies {
  readDb: Kysely<ProjectionTables>;
  eventStore: EventStoreDb;
  projections: Record<string, Projection>;
  /** Announcements go out on Redis when present (cache invalidation, read-your-writes). */
  redis?: Redis;
  keyPrefix: string;
  batchSize: number;
  /** Observed after every batch (metrics). */
  onBatch?: (result: { projection: string; position: bigint; eventsRead: number }) => void;
}

export interface ProjectionBatchSummary {
  position: string;
  eventsRead: number;
  caughtUp: boolean;
}

/** Activities of the projection workflows, built from their dependencies. */
export function createProjectionActivities(deps: ProjectionActivityDependencies) {
  return {
    /** Applies one batch (rows and checkpoint in one read-database transaction), then announces it. */
    async applyProjectionBatch(input: { projection: string }): Promise<ProjectionBatchSummary> {
      const projection = deps.projections[input.projection];
      if (!projection) throw new Error(`unknown projection ${input.projection}`);
      const result = await applyNextBatch(deps.readDb, deps.eventStore, projection, deps.batchSize);
      if (result.eventsRead > 0) {
        deps.onBatch?.(result);
        if (deps.redis) {
          await announceBatch(deps.redis, deps.keyPrefix, {
            projection: projection.name,
            position: result.position.toString(),
            changes: result.changes,
          });
        }
      }
      return { position: result.position.toString(), eventsRead: result.eventsRead, caughtUp: result.caughtUp };
    },
  };
}

export type ProjectionActivities = ReturnType<typeof createProjectionActivities>;
