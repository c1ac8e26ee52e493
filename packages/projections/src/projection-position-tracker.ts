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
 * Knows how far each projection has got, from the announcements projections publish on Redis, so a
 * request carrying X-Min-Position waits exactly until its data is there, woken by the announcement,
 * with no polling of Postgres. While the subscription is down it falls back to reading checkpoints.
 */
export class ProjectionPositionTracker {
  private readonly positions = new Map<string, bigint>();
  private readonly waiters = new Set<Waiter>();
  private readonly listeners = new Set<(announcement: ProjectionAnnouncement) => void>();
  private pollTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly readDb: Kysely<ProjectionTables>,
    private readonly subscriber: Redis,
    private readonly keyPrefix: string,
  ) {}

  /** Subscribes and loads the checkpoints; call once at start-up. */
  async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== projectionChannel(this.keyPrefix)) return;
      const announcement = parseAnnouncement(message);
      if (!announcement) return;
      this.advance(announcement.projection, BigInt(announcement.position));
      for (const listener of this.listeners) listener(announcement);
    });
    // Announcements published while the subscription was down are lost: re-read the truth. And
    // subscribe again: a SUBSCRIBE that failed while Redis was away (at start-up) is not replayed.
    this.subscriber.on('ready', () => {
      void this.subscriber.subscribe(projectionChannel(this.keyPrefix)).catch(() => undefined);
      void this.refresh().catch(() => undefined);
    });
    await this.subscriber.subscribe(projectionChannel(this.keyPrefix)).catch(() => undefined);
    await this.refresh().catch(() => undefined);
  }

  /** Called for every announcement (cache invalidation hooks in here). */
  onAnnouncement(listener: (announcement: ProjectionAnnouncement) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The lowest position among `projections`: what a request reading all of them has seen. */
  positionOf(projections: readonly string[]): bigint {
    let lowest: bigint | undefined;
    for (const projection of projections) {
      const position = this.positions.get(projection) ?? 0n;
      if (lowest === undefined || position < lowest) lowest = position;
    }
    return lowest ?? 0n;
  }

  /** Reloads every checkpoint from Postgres. */
  async refresh(): Promise<void> {
    for (const checkpoint of await readCheckpoints(this.readDb)) this.advance(checkpoint.projection, checkpoint.position);
  }

  /** Resolves true once every projection reached `position`, false after `timeoutMs`. */
  async waitFor(projections: readonly string[], position: bigint, timeoutMs: number): Promise<boolean> {
    if (this.positionOf(projections) >= position) return true;
    await this.refresh().catch(() => undefined);
    if (this.positionOf(projections) >= position) return true;
    if (timeoutMs <= 0) return false;
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

  stop(): void {
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    for (const waiter of [...this.waiters]) waiter.resolve(false);
  }

  private advance(projection: string, position: bigint): void {
    if (position <= (this.positions.get(projection) ?? -1n)) return;
    this.positions.set(projection, position);
    for (const waiter of [...this.waiters]) {
      if (this.positionOf(waiter.projections) >= waiter.position) waiter.resolve(true);
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
