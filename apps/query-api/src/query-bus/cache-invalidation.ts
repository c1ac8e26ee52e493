import type Redis from 'ioredis';
import { flushOnReconnect, tagsOfChanges, type TwoLevelCache } from '@gyroscops/cache';
import type { ProjectionPositionTracker } from '@gyroscops/projections';

/**
 * Keeps this instance's L1 honest: every projection announcement drops the entries tagged with what
 * the batch changed (its payments, organizations and the projection), and every (re)connection of
 * the subscriber empties L1, since announcements sent while it was away are lost. L2 needs neither:
 * the projection worker bumps the tag versions in Redis itself. Returns a function that unwires.
 */
export function invalidateCacheOnAnnouncements(
  tracker: ProjectionPositionTracker,
  cache: TwoLevelCache,
  subscriber?: Redis,
): () => void {
  const stopListening = tracker.onAnnouncement((announcement) => {
    cache.invalidateLocal(tagsOfChanges(announcement.projection, announcement.changes));
  });
  const stopFlushing = subscriber ? flushOnReconnect(subscriber, cache) : () => undefined;
  return () => {
    stopListening();
    stopFlushing();
  };
}
