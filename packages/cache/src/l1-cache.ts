import { LRUCache } from 'lru-cache';

/** One L1 entry: the result as the handler gave it, shared by every request that hits it. */
export interface L1Entry {
  key: string;
  value: unknown;
  /** Projection position the value was read at: X-Min-Position above it makes it a miss. */
  position: bigint;
  tags: readonly string[];
  /** Approximate bytes (its JSON), for the size bound. */
  size: number;
}

export interface L1Options {
  maxEntries: number;
  maxBytes: number;
  ttlMs: number;
}

/**
 * The in-process LRU, bounded by entry count, approximate size and TTL, with a tag → entries index
 * so an invalidation drops exactly the entries carrying a tag. The index holds entry objects (not
 * keys) so disposing an old entry never unindexes the one that replaced it under the same key.
 */
export class L1Cache {
  private readonly lru: LRUCache<string, L1Entry>;
  private readonly byTag = new Map<string, Set<L1Entry>>();

  constructor(options: L1Options) {
    this.lru = new LRUCache<string, L1Entry>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      sizeCalculation: (entry) => Math.max(1, entry.size),
      ttl: options.ttlMs,
      // Expired entries are dropped when touched or evicted: no timer per entry.
      ttlAutopurge: false,
      dispose: (entry) => this.unindex(entry),
    });
  }

  get(key: string): L1Entry | undefined {
    return this.lru.get(key);
  }

  /** Stores `entry` unless the entry already there was read at a later position (a newer load finished first). */
  set(entry: L1Entry, ttlMs: number): void {
    if (ttlMs <= 0) return;
    const current = this.lru.get(entry.key);
    if (current && current.position > entry.position) return;
    this.lru.delete(entry.key);
    this.lru.set(entry.key, entry, { ttl: ttlMs });
    // An entry larger than the whole cache is refused silently: index only what was stored.
    if (this.lru.peek(entry.key) !== entry) return;
    for (const tag of entry.tags) {
      let entries = this.byTag.get(tag);
      if (!entries) this.byTag.set(tag, (entries = new Set()));
      entries.add(entry);
    }
  }

  /** Drops every entry carrying one of `tags`; returns how many. */
  invalidate(tags: readonly string[]): number {
    let dropped = 0;
    for (const tag of tags) {
      for (const entry of [...(this.byTag.get(tag) ?? [])]) {
        if (this.lru.peek(entry.key, { allowStale: true }) === entry) {
          this.lru.delete(entry.key);
          dropped += 1;
        }
      }
    }
    return dropped;
  }

  /** Drops `entry` if it is still the one stored under its key (a newer entry is left alone). */
  deleteEntry(entry: L1Entry): void {
    if (this.lru.peek(entry.key, { allowStale: true }) === entry) this.lru.delete(entry.key);
  }

  clear(): void {
    this.lru.clear();
    this.byTag.clear();
  }

  get entries(): number {
    return this.lru.size;
  }

  get bytes(): number {
    return this.lru.calculatedSize;
  }

  private unindex(entry: L1Entry): void {
    for (const tag of entry.tags) {
      const entries = this.byTag.get(tag);
      if (!entries) continue;
      entries.delete(entry);
      if (entries.size === 0) this.byTag.delete(tag);
    }
  }
}
