import type Redis from 'ioredis';
import { invalidateTags, tagsOfChanges, type AfterInvalidation } from '@gyroscops/cache';
import type { ProjectionChanges } from '@gyroscops/projections';

/**
 * Invalidation that survives a Redis outage: tags that could not be invalidated are kept and sent
 * with the next batch (or the next flush), so the cache converges once Redis is back; until then the
 * cache's TTL bounds how stale an entry can be.
 */
export class CacheInvalidator {
  private readonly pending = new Set<string>();

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {}

  /** Invalidates what a batch changed (and what is still pending), then publishes `announcement`. False when that failed. */
  async afterBatch(projection: string, changes: ProjectionChanges, announcement?: AfterInvalidation): Promise<boolean> {
    for (const tag of tagsOfChanges(projection, changes)) this.pending.add(tag);
    return this.flush(announcement);
  }

  /** Sends every pending tag (and publishes `then` after them); true when nothing is left pending. */
  async flush(then?: AfterInvalidation): Promise<boolean> {
    if (this.pending.size === 0 && !then) return true;
    const tags = [...this.pending];
    try {
      await invalidateTags(this.redis, this.keyPrefix, tags, then);
      for (const tag of tags) this.pending.delete(tag);
      return true;
    } catch {
      return false;
    }
  }

  get pendingCount(): number {
    return this.pending.size;
  }
}
