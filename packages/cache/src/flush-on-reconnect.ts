import type Redis from 'ioredis';

/**
 * Flushes L1 each time the subscriber connection becomes ready: announcements published while it
 * was away are lost for good (Redis pub/sub keeps nothing), so any L1 entry filled meanwhile may be
 * stale. Returns a function that stops listening.
 */
export function flushOnReconnect(subscriber: Redis, cache: { flushLocal(): void }): () => void {
  const onReady = () => cache.flushLocal();
  subscriber.on('ready', onReady);
  return () => subscriber.off('ready', onReady);
}
