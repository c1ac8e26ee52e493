import { tagsOfChanges } from '@gyroscops/cache';
import type { ProjectionChanges } from '@gyroscops/projections';

/** Drops cache entries by tag; throws when the cache cannot be reached. */
export type InvalidateTags = (tags: string[]) => Promise<void>;

/**
 * Invalidation that survives a Redis outage: tags that could not be invalidated are kept and sent
 * with the next batch (or the next flush), so the cache converges once Redis is back; until then the
 * cache's TTL bounds how stale an entry can be.
 */
export class CacheInvalidator {
  private readonly pending = new Set<string>();

  constructor(private readonly invalidate: InvalidateTags) {}

  async afterBatch(projection: string, changes: ProjectionChanges): Promise<boolean> {
    for (const tag of tagsOfChanges(projection, changes)) this.pending.add(tag);
    return this.flush();
  }

  /** Sends every pending tag; true when nothing is left pending. */
  async flush(): Promise<boolean> {
    if (this.pending.size === 0) return true;
    const tags = [...this.pending];
    try {
      await this.invalidate(tags);
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
