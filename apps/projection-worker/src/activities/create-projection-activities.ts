import { Context } from '@temporalio/activity';
import type Redis from 'ioredis';
import type { Kysely } from 'kysely';
import type { EventStoreDb } from '@gyroscops/event-store';
import {
  announceBatch,
  applyNextBatch,
  followProjection,
  type AppendWakeups,
  applyRebuildBatch,
  prepareRebuild,
  recordRebuildFailure,
  announcementMessage,
  EVERYTHING_CHANGED,
  resumeCheckpoint,
  retryDeadLetters,
  swapRebuild,
  type Projection,
  type ProjectionChanges,
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
  /**
   * Wake-ups on committed appends (a PostgresAppendListener in the service). Without them followers
   * poll every `pollMs` (and still wake each other after their own commits).
   */
  wakeups?: AppendWakeups;
  /** The follower's fallback poll: 1 s with wake-ups, 100 ms without, by default. */
  pollMs?: number;
  /** Observed on every failed batch of a follower (logging). */
  onFollowError?: (projection: string, error: unknown, failures: number) => void;
  /** Observed on every failed rebuild activity (logging); the error is also recorded for GET /projections. */
  onRebuildError?: (projection: string, error: unknown, attempt: number) => void;
}

export interface ApplyBatchInput {
  projection: string;
  /** Event by event (poison isolation); by default from the activity's fourth attempt. */
  isolate?: boolean;
  /** Where the caller believes the checkpoint is (a follower's last batch): see applyNextBatch. */
  expectedPosition?: string;
}

export interface FollowInput {
  projection: string;
  /** Return after about this long, so the workflow records progress (and may continue-as-new). */
  maxRunMs?: number;
}

export interface FollowSummary {
  position: string;
  batches: number;
  eventsApplied: number;
  halted: boolean;
}

export interface ProjectionActivityOptions {
  /**
   * How the follower applies each batch: the worker's own (possibly wrapped) applyProjectionBatch,
   * so whatever wraps that activity (tests that stop a worker after a commit) sees every batch.
   */
  applyBatch?: (input: ApplyBatchInput) => Promise<ProjectionBatchSummary>;
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
  /** A poison event stopped the rebuild (the `halt` policy): `lastError` names it. */
  halted: boolean;
  lastError: string | null;
}

const summarize = (progress: RebuildProgress): RebuildBatchSummary => ({
  position: progress.position.toString(),
  eventsDone: progress.eventsDone,
  eventsTotal: progress.eventsTotal,
  caughtUp: progress.caughtUp,
  halted: progress.halted,
  lastError: progress.lastError,
});

/** While idle, a follower heartbeats this often (its heartbeat timeout is 20 s). */
const FOLLOW_HEARTBEAT_MS = 2_000;
const FOLLOW_MAX_RUN_MS = 5 * 60_000;

/** Activities of the projection workflows, built from their dependencies. */
export function createProjectionActivities(
  deps: ProjectionActivityDependencies,
  options: ProjectionActivityOptions = {},
) {
  const projectionNamed = (name: string): Projection => {
    const projection = deps.projections[name];
    if (!projection) throw new Error(`unknown projection ${name}`);
    return projection;
  };
  const rebuildBatchSize = deps.rebuildBatchSize ?? 5_000;
  /** From this attempt on, a failing batch (live or rebuild) is applied event by event to find its poison event. */
  const isolatingAttempt = () => Context.current().info.attempt > (deps.isolateAfterAttempts ?? 3);

  /**
   * A rebuild step that fails says why in the rebuild row (GET /projections) and in the logs, then
   * fails its attempt: Temporal retries it, from the fourth attempt with poison isolation.
   */
  async function reportingRebuildFailure<T>(projection: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      deps.onRebuildError?.(projection, error, Context.current().info.attempt);
      await recordRebuildFailure(deps.readDb, projection, error).catch(() => undefined);
      throw error;
    }
  }

  /**
   * After a commit: the cache tags of what changed are bumped, then the batch is announced, both in
   * one Redis script (one round trip; no reader gets the announcement before the bump). When that
   * fails, the tags stay pending (see CacheInvalidator) and the announcement goes out on its own,
   * best effort: read-your-writes waits and L1 invalidation still hear of the batch.
   */
  async function announceAfterInvalidation(
    projection: string,
    position: bigint,
    changes: ProjectionChanges,
  ): Promise<void> {
    const announcement = { projection, position: position.toString(), changes };
    const message = deps.redis ? announcementMessage(deps.keyPrefix, announcement) : undefined;
    const delivered = deps.invalidator ? await deps.invalidator.afterBatch(projection, changes, message) : false;
    if (!delivered && deps.redis) await announceBatch(deps.redis, deps.keyPrefix, announcement);
  }

  const activities = {
    /** Applies one batch (rows and checkpoint in one read-database transaction), then announces it. */
    async applyProjectionBatch(input: ApplyBatchInput): Promise<ProjectionBatchSummary> {
      const projection = projectionNamed(input.projection);
      // Retries of a failing batch go event by event: the poison event is found and parked (or halts).
      const isolate = input.isolate ?? isolatingAttempt();
      const expectedPosition = input.expectedPosition === undefined ? undefined : BigInt(input.expectedPosition);
      const result = await applyNextBatch(deps.readDb, deps.eventStore, projection, deps.batchSize, {
        isolate,
        expectedPosition,
      });
      if (result.eventsRead > 0) {
        // A commit of ours may end the transaction another follower's gap-safe read was waiting for.
        deps.wakeups?.nudge();
        deps.onBatch?.(result);
        await announceAfterInvalidation(projection.name, result.position, result.changes);
      } else if (deps.invalidator?.pendingCount) {
        await deps.invalidator.flush();
      }
      return {
        position: result.position.toString(),
        eventsRead: result.eventsRead,
        caughtUp: result.caughtUp,
        halted: result.halted,
        parked: result.parked,
      };
    },

    /**
     * Follows the event store for a while: applies batches as appends are announced (LISTEN/NOTIFY,
     * in this process) with a fallback poll, heartbeating the checkpoint. Returns when halted or
     * after `maxRunMs`; cancellation (the workflow's, or the worker shutting down) stops it between
     * batches. Each batch is applied by applyProjectionBatch, so it keeps every guarantee of one.
     */
    async followProjection(input: FollowInput): Promise<FollowSummary> {
      const context = Context.current();
      const applyBatch = options.applyBatch ?? activities.applyProjectionBatch;
      const outcome = await followProjection({
        applyBatch: async ({ isolate, expectedPosition }) => {
          const batch = await applyBatch({
            projection: input.projection,
            isolate,
            expectedPosition: expectedPosition?.toString(),
          });
          return {
            position: BigInt(batch.position),
            eventsRead: batch.eventsRead,
            caughtUp: batch.caughtUp,
            halted: batch.halted,
          };
        },
        wakeups: deps.wakeups,
        pollMs: deps.pollMs ?? (deps.wakeups ? 1_000 : 100),
        maxRunMs: input.maxRunMs ?? FOLLOW_MAX_RUN_MS,
        heartbeat: (progress) =>
          context.heartbeat({
            position: progress.position.toString(),
            batches: progress.batches,
            eventsApplied: progress.eventsApplied,
          }),
        heartbeatMs: FOLLOW_HEARTBEAT_MS,
        signal: context.cancellationSignal,
        onError: (error, failures) => deps.onFollowError?.(input.projection, error, failures),
      }).catch(async (error) => {
        // Cancelled: confirm with the SDK's own CancelledFailure, so the attempt reads as cancelled.
        if (context.cancellationSignal.aborted) await context.cancelled;
        throw error;
      });
      return {
        position: outcome.position.toString(),
        batches: outcome.batches,
        eventsApplied: outcome.eventsApplied,
        halted: outcome.halted,
      };
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

    /**
     * Replays several large batches into the shadow tables, heartbeating progress, for about a few
     * seconds. Batches that keep failing get the live batches' poison policy (see reportingRebuildFailure).
     */
    async applyProjectionRebuildBatches(input: { projection: string; maxMs?: number }): Promise<RebuildBatchSummary> {
      const projection = projectionNamed(input.projection);
      const deadline = Date.now() + (input.maxMs ?? 5_000);
      const isolate = isolatingAttempt();
      return reportingRebuildFailure(projection.name, async () => {
        for (;;) {
          const progress = await applyRebuildBatch(deps.readDb, deps.eventStore, projection, rebuildBatchSize, {
            isolate,
          });
          Context.current().heartbeat(summarize(progress));
          if (progress.caughtUp || progress.halted || Date.now() > deadline) return summarize(progress);
        }
      });
    },

    async swapProjectionRebuild(input: { projection: string }): Promise<RebuildBatchSummary> {
      const projection = projectionNamed(input.projection);
      const progress = await reportingRebuildFailure(projection.name, () =>
        swapRebuild(deps.readDb, deps.eventStore, projection, rebuildBatchSize, { isolate: isolatingAttempt() }),
      );
      // Every row was replaced: cached entries of any payment or organization may be stale now.
      if (!progress.halted) await announceAfterInvalidation(projection.name, progress.position, EVERYTHING_CHANGED);
      return summarize(progress);
    },
  };
  return activities;
}

export type ProjectionActivities = ReturnType<typeof createProjectionActivities>;
