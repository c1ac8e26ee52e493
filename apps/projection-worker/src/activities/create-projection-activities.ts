import { Context } from '@temporalio/activity';
import type Redis from 'ioredis';
import type { Kysely } from 'kysely';
import type { EventStoreDb } from '@gyroscops/event-store';
import {
  announceBatch,
  applyNextBatch,
  applyRebuildBatch,
  prepareRebuild,
  resumeCheckpoint,
  retryDeadLetters,
  swapRebuild,
  type Projection,
  type ProjectionTables,
  type RebuildProgress,
  type RetryOutcome,
} from '@gyroscops/projections';
import type { CacheInvalidator } from './cache-invalidator';

export interface ProjectionActivityDependencies {
  readDb: Kysely<ProjectionTables>;
  eventStore: EventStoreDb;
  projections: Record<string, Projection>;
  /** Announcements go out on Redis when present (read-your-writes wake-ups, L1 invalidation). */
  redis?: Redis;
  keyPrefix: string;
  /** Drops L2 cache entries of what a batch changed. */
  invalidator?: CacheInvalidator;
  batchSize: number;
  rebuildBatchSize?: number;
  /** A batch that failed this many times is applied event by event to find (and park) the poison event. */
  isolateAfterAttempts?: number;
  /** Observed after every batch (metrics). */
  onBatch?: (result: { projection: string; position: bigint; eventsRead: number; parked: number }) => void;
}

export interface ProjectionBatchSummary {
  position: string;
  eventsRead: number;
  caughtUp: boolean;
  halted: boolean;
  parked: number;
}

export interface RebuildBatchSummary {
  position: string;
  eventsDone: number;
  eventsTotal: number;
  caughtUp: boolean;
}

const summarize = (progress: RebuildProgress): RebuildBatchSummary => ({
  position: progress.position.toString(),
  eventsDone: progress.eventsDone,
  eventsTotal: progress.eventsTotal,
  caughtUp: progress.caughtUp,
});

/** Activities of the projection workflows, built from their dependencies. */
export function createProjectionActivities(deps: ProjectionActivityDependencies) {
  const projectionNamed = (name: string): Projection => {
    const projection = deps.projections[name];
    if (!projection) throw new Error(`unknown projection ${name}`);
    return projection;
  };
  const rebuildBatchSize = deps.rebuildBatchSize ?? 5_000;

  return {
    /** Applies one batch (rows and checkpoint in one read-database transaction), then announces it. */
    async applyProjectionBatch(input: { projection: string }): Promise<ProjectionBatchSummary> {
      const projection = projectionNamed(input.projection);
      // Retries of a failing batch go event by event: the poison event is found and parked (or halts).
      const isolate = Context.current().info.attempt > (deps.isolateAfterAttempts ?? 3);
      const result = await applyNextBatch(deps.readDb, deps.eventStore, projection, deps.batchSize, { isolate });
      if (result.eventsRead > 0) {
        deps.onBatch?.(result);
        await deps.invalidator?.afterBatch(projection.name, result.changes);
        if (deps.redis) {
          await announceBatch(deps.redis, deps.keyPrefix, { projection: projection.name, position: result.position.toString(), changes: result.changes });
        }
      } else {
        await deps.invalidator?.flush();
      }
      return { position: result.position.toString(), eventsRead: result.eventsRead, caughtUp: result.caughtUp, halted: result.halted, parked: result.parked };
    },

    async resumeProjection(input: { projection: string }): Promise<boolean> {
      return resumeCheckpoint(deps.readDb, projectionNamed(input.projection).name);
    },

    async retryProjectionDeadLetters(input: { projection: string }): Promise<RetryOutcome> {
      return retryDeadLetters(deps.readDb, deps.eventStore, projectionNamed(input.projection));
    },

    async prepareProjectionRebuild(input: { projection: string }): Promise<RebuildBatchSummary> {
      return summarize(await prepareRebuild(deps.readDb, deps.eventStore, projectionNamed(input.projection)));
    },

    /** Replays several large batches into the shadow tables, heartbeating progress, for about a few seconds. */
    async applyProjectionRebuildBatches(input: { projection: string; maxMs?: number }): Promise<RebuildBatchSummary> {
      const projection = projectionNamed(input.projection);
      const deadline = Date.now() + (input.maxMs ?? 5_000);
      for (;;) {
        const progress = await applyRebuildBatch(deps.readDb, deps.eventStore, projection, rebuildBatchSize);
        Context.current().heartbeat(summarize(progress));
        if (progress.caughtUp || Date.now() > deadline) return summarize(progress);
      }
    },

    async swapProjectionRebuild(input: { projection: string }): Promise<RebuildBatchSummary> {
      const projection = projectionNamed(input.projection);
      const progress = await swapRebuild(deps.readDb, deps.eventStore, projection, rebuildBatchSize);
      const changes = { paymentIds: [], organizationIds: [] };
      await deps.invalidator?.afterBatch(projection.name, changes);
      if (deps.redis) await announceBatch(deps.redis, deps.keyPrefix, { projection: projection.name, position: progress.position.toString(), changes });
      return summarize(progress);
    },
  };
}

export type ProjectionActivities = ReturnType<typeof createProjectionActivities>;
