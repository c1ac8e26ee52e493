import type Redis from 'ioredis';
import type { Kysely } from 'kysely';
import { readCheckpoints } from './projection-checkpoints';
import { parseAnnouncement, projectionChannel, type ProjectionAnnouncement } from './projection-notifier';
import type { ProjectionTables } from './tables';

interface Waiter {
  projections: readonly string[];
  position: bigint;
  resolve: (reached: boolean) => void;
}

/** How often to re-read checkpoints while the Redis subscription is down (the only polling done). */
const DEGRADED_POLL_MS = 200;

/**
 * How long a read whose position is committed (seen in the checkpoint table) but not yet announced
 * waits for the announcement. The worker publishes it right after the commit and the cache
 * invalidation, so this is normally a millisecond or two; the bound only matters if it was lost.
 */
const DEFAULT_ANNOUNCEMENT_GRACE_MS = 100;

export interface ProjectionPositionTrackerOptions {
  /** How long a committed but unannounced target waits for its announcement (default 100 ms). */
  announcementGraceMs?: number;
}

/**
 * Knows how far each projection has got, from the announcements projections publish on Redis, so a
 * request carrying X-Min-Position waits exactly until its data is there, woken by the announcement,
 * with no polling of Postgres. While the subscription is down it falls back to reading checkpoints.
 *
 * Two positions per projection: `committed` (the checkpoint table, or an announcement) says the rows
 * are there; `announced` says the batch's cache invalidation has also gone out. A wait is over at the
 * announced position: a read answered between a batch's commit and its announcement would fill the
 * cache with an entry the announcement drops a moment later. When only the checkpoint shows the
 * target, the wait gives the announcement a short grace, then answers from the committed rows.
 */
export class ProjectionPositionTracker {
  private readonly committed = new Map<string, bigint>();
  private readonly announced = new Map<string, bigint>();
  private readonly waiters = new Set<Waiter>();
  private readonly listeners = new Set<(announcement: ProjectionAnnouncement) => void>();
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly announcementGraceMs: number;

  constructor(
    private readonly readDb: Kysely<ProjectionTables>,
    private readonly subscriber: Redis,
    private readonly keyPrefix: string,
    options: ProjectionPositionTrackerOptions = {},
  ) {
    this.announcementGraceMs = options.announcementGraceMs ?? DEFAULT_ANNOUNCEMENT_GRACE_MS;
  }

  /** Subscribes and loads the checkpoints; call once at start-up. */
  async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== projectionChannel(this.keyPrefix)) return;
      const announcement = parseAnnouncement(message);
      if (!announcement) return;
      const position = BigInt(announcement.position);
      advance(this.committed, announcement.projection, position);
      advance(this.announced, announcement.projection, position);
      this.wakeWaiters();
      for (const listener of this.listeners) listener(announcement);
    });
    // Announcements published while the subscription was down are lost: re-read the truth (the
    // cache's L1 is emptied on that same reconnection, so what is committed counts as announced).
    // And subscribe again: a SUBSCRIBE that failed while Redis was away (at start-up) is not replayed.
    this.subscriber.on('ready', () => {
      void this.subscriber.subscribe(projectionChannel(this.keyPrefix)).catch(() => undefined);
      void this.refresh({ asAnnounced: true }).catch(() => undefined);
    });
    await this.subscriber.subscribe(projectionChannel(this.keyPrefix)).catch(() => undefined);
    await this.refresh({ asAnnounced: true }).catch(() => undefined);
  }

  /** Called for every announcement (cache invalidation hooks in here). */
  onAnnouncement(listener: (announcement: ProjectionAnnouncement) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The lowest committed position among `projections`: what a request reading all of them sees. */
  positionOf(projections: readonly string[]): bigint {
    return lowest(this.committed, projections);
  }

  /**
   * Reloads every checkpoint from Postgres. `asAnnounced` when nothing announced before now can
   * still arrive (start-up, a reconnection), so the committed positions count as announced too.
   */
  async refresh(options: { asAnnounced?: boolean } = {}): Promise<void> {
    for (const checkpoint of await readCheckpoints(this.readDb)) {
      advance(this.committed, checkpoint.projection, checkpoint.position);
      if (options.asAnnounced) advance(this.announced, checkpoint.projection, checkpoint.position);
    }
    this.wakeWaiters();
  }

  /**
   * Resolves true once every projection reached `position` (announced, or committed when the
   * announcement does not come within a short grace or Redis is down), false after `timeoutMs`.
   */
  async waitFor(projections: readonly string[], position: bigint, timeoutMs: number): Promise<boolean> {
    if (lowest(this.announced, projections) >= position) return true;
    await this.refresh().catch(() => undefined);
    if (this.isReached(projections, position)) return true;
    const committed = this.positionOf(projections) >= position;
    if (timeoutMs <= 0) return committed;
    return this.wait(projections, position, committed ? Math.min(timeoutMs, this.announcementGraceMs) : timeoutMs);
  }

  stop(): void {
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    for (const waiter of [...this.waiters]) waiter.resolve(false);
  }

  private wait(projections: readonly string[], position: bigint, timeoutMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        projections,
        position,
        resolve: (reached) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          this.updatePolling();
          resolve(reached);
        },
      };
      const timer = setTimeout(() => {
        // One last look at the source of truth before answering 503.
        void this.refresh()
          .catch(() => undefined)
          .then(() => waiter.resolve(this.positionOf(projections) >= position));
      }, timeoutMs);
      this.waiters.add(waiter);
      this.updatePolling();
    });
  }

  /** Announced, or committed while the subscription is down (no announcement can come then). */
  private isReached(projections: readonly string[], position: bigint): boolean {
    if (lowest(this.announced, projections) >= position) return true;
    return this.subscriber.status !== 'ready' && this.positionOf(projections) >= position;
  }

  private wakeWaiters(): void {
    for (const waiter of [...this.waiters]) {
      if (this.isReached(waiter.projections, waiter.position)) waiter.resolve(true);
    }
  }

  private updatePolling(): void {
    const degraded = this.subscriber.status !== 'ready' && this.waiters.size > 0;
    if (degraded && !this.pollTimer) {
      this.pollTimer = setInterval(() => void this.refresh().catch(() => undefined), DEGRADED_POLL_MS);
      this.pollTimer.unref();
    } else if (!degraded && this.pollTimer) {
      clearInterval(this.pollTimer);
      this.pollTimer = undefined;
    }
  }
}

/** Moves a projection's position forward, never back. */
function advance(positions: Map<string, bigint>, projection: string, position: bigint): void {
  if (position > (positions.get(projection) ?? -1n)) positions.set(projection, position);
}

/** The lowest position among `projections`, an unknown one counting as 0. */
function lowest(positions: ReadonlyMap<string, bigint>, projections: readonly string[]): bigint {
  let result: bigint | undefined;
  for (const projection of projections) {
    const position = positions.get(projection) ?? 0n;
    if (result === undefined || position < result) result = position;
  }
  return result ?? 0n;
}
