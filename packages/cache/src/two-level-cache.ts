import type Redis from 'ioredis';
import type { Registry } from 'prom-client';
import { cacheKeys, type CacheKeys } from './cache-keys';
import { CacheStats, type CacheOperation, type CacheStatsSnapshot } from './cache-stats';
import { withTagFamilies } from './invalidate-tags';
import { L1Cache, type L1Entry } from './l1-cache';
import { L2Cache } from './l2-cache';
import { LocalInvalidationLog } from './local-invalidation-log';
import { SingleFlight } from './single-flight';

export interface TwoLevelCacheOptions {
  /** The cache's own connection: no offline queue and a short command timeout (createRedis does both). */
  redis: Redis;
  keyPrefix: string;
  l1: { maxEntries: number; maxBytes: number; ttlMs: number };
  /** L2 time to live of a query type that does not set its own. */
  defaultTtlSeconds: number;
  /** Registers the Prometheus counters there when given. */
  metrics?: Registry;
  /** Every failed Redis call (already counted); logging is the caller's choice. */
  onError?: (error: unknown, operation: CacheOperation) => void;
}

/** Where an answer came from. */
export type CacheSource = 'l1' | 'l2' | 'db';

/** One lookup. `load` runs on a miss; `tags` names what invalidates its result. */
export interface CacheLookup<T> {
  type: string;
  params: unknown;
  /** Serve nothing read before this projection position (X-Min-Position). */
  minPosition?: bigint;
  /** The projection position a load starting now reads at at least; read before `load` runs. */
  currentPosition: () => bigint;
  ttlSeconds?: number;
  tags: (value: T) => readonly string[];
  load: () => Promise<T>;
}

export interface CacheAnswer<T> {
  value: T;
  /** Position the value was read at: what X-Projection-Position reports. */
  position: bigint;
  source: CacheSource;
}

/**
 * Cache-aside on two levels: L1 in process, L2 on Redis, then `load`. Results are shared by every
 * request that gets them: treat them as immutable. Entries must be JSON values (what comes back
 * from L2 is parsed JSON).
 *
 * Stale data is kept out three ways: (1) invalidations bump tag versions in Redis and an L2 entry
 * whose tags moved on is a miss; (2) a write-back whose tags were invalidated after the read began is
 * refused, atomically in Redis, and the in-process log refuses the matching L1 fill; (3) an entry
 * read at a position below the caller's X-Min-Position is a miss.
 */
export class TwoLevelCache {
  private readonly keys: CacheKeys;
  private readonly counters: CacheStats;
  private readonly l1: L1Cache;
  private readonly l2: L2Cache;
  private readonly log = new LocalInvalidationLog();
  private readonly flights = new SingleFlight<CacheAnswer<unknown>>();
  private pendingWrites = 0;
  private readonly drained: (() => void)[] = [];

  constructor(private readonly options: TwoLevelCacheOptions) {
    this.keys = cacheKeys(options.keyPrefix);
    this.counters = new CacheStats(options.metrics);
    this.l1 = new L1Cache(options.l1);
    this.l2 = new L2Cache(options.redis, this.keys, this.counters, options.onError ?? (() => undefined));
  }

  /** The value from L1, L2 or `load`, with concurrent misses on one key making one `load` call. */
  async get<T>(lookup: CacheLookup<T>): Promise<CacheAnswer<T>> {
    const key = this.keys.entry(lookup.type, lookup.params);
    const minPosition = lookup.minPosition ?? 0n;
    const local = this.l1.get(key);
    if (local && local.position >= minPosition) {
      this.counters.hit('l1', lookup.type);
      return { value: local.value as T, position: local.position, source: 'l1' };
    }
    this.counters.miss('l1', lookup.type);
    const position = lookup.currentPosition();
    const flight = this.flights.run(key, minPosition, position, () =>
      this.readThrough(key, lookup as CacheLookup<unknown>, minPosition, position),
    );
    if (flight.joined) this.counters.coalesce();
    return (await flight.promise) as CacheAnswer<T>;
  }

  /**
   * The L1 entry for a lookup, when there is one read at `minPosition` or later, counted as an L1 hit;
   * undefined otherwise, counted as nothing (the `get` that follows counts the miss). For hot routes
   * that answer an L1 hit before any other work.
   */
  peekLocal<T>(type: string, params: unknown, minPosition = 0n): CacheAnswer<T> | undefined {
    const local = this.l1.get(this.keys.entry(type, params));
    if (!local || local.position < minPosition) return undefined;
    this.counters.hit('l1', type);
    return { value: local.value as T, position: local.position, source: 'l1' };
  }

  /** Drops the L1 entries carrying `tags` (a projection announcement) and spoils L1 fills in flight. */
  invalidateLocal(tags: readonly string[]): number {
    this.log.invalidate(tags);
    const dropped = this.l1.invalidate(tags);
    this.counters.invalidation(dropped);
    return dropped;
  }

  /** Empties L1 (announcements may have been lost while the subscriber was away). */
  flushLocal(): void {
    this.log.flush();
    this.l1.clear();
    this.counters.flush();
  }

  /** Hits, misses, invalidations and errors so far (GET /cache/stats). */
  stats(): CacheStatsSnapshot {
    return this.counters.snapshot({ entries: this.l1.entries, bytes: this.l1.bytes });
  }

  private async readThrough(
    key: string,
    lookup: CacheLookup<unknown>,
    minPosition: bigint,
    position: bigint,
  ): Promise<CacheAnswer<unknown>> {
    const ticket = this.log.begin();
    try {
      const ttlSeconds = lookup.ttlSeconds ?? this.options.defaultTtlSeconds;
      const found = await this.l2.read(key);
      if (found.kind === 'hit' && found.position >= minPosition) {
        this.counters.hit('l2', lookup.type);
        const tags = entryTags(lookup.tags(found.value));
        if (!this.log.isStale(ticket, tags)) {
          this.l1.set(
            {
              key,
              value: found.value,
              position: found.position,
              tags,
              size: found.bytes + key.length + ENTRY_OVERHEAD,
            },
            Math.min(this.options.l1.ttlMs, found.ttlMs),
          );
        }
        return { value: found.value, position: found.position, source: 'l2' };
      }
      this.counters.miss('l2', lookup.type);

      const value = await lookup.load();
      const tags = entryTags(lookup.tags(value));
      const json = toJson(value);
      // Not JSON (a bigint, a cycle): a handler bug, but no reason to fail the request. Serve it uncached.
      if (json === UNSERIALIZABLE) return { value, position, source: 'db' };
      const entry: L1Entry = { key, value, position, tags, size: (json?.length ?? 0) + key.length + ENTRY_OVERHEAD };
      const l1TtlMs = Math.min(this.options.l1.ttlMs, ttlSeconds * 1_000);
      if (!this.log.isStale(ticket, tags)) this.l1.set(entry, l1TtlMs);
      // The answer does not wait for the write-back: it goes to Redis after this returns.
      if (found.kind !== 'unavailable') this.writeBack(entry, { epoch: found.epoch, ttlSeconds, json });
      return { value, position, source: 'db' };
    } finally {
      this.log.end(ticket);
    }
  }

  /**
   * Stores a loaded value in L2 without holding the answer that carries it. The write is a
   * compare-and-set on the tag versions read before the load: when Redis refuses it (a tag was
   * invalidated meanwhile, by a batch whose announcement may not have reached this instance yet),
   * the L1 entry just filled is dropped again, so the possibly stale value lives at most one Redis
   * round trip in L1, and is never read with an X-Min-Position above its position. A failed write is
   * counted and reported through `onError` by L2Cache; anything else it throws is reported too.
   */
  private writeBack(entry: L1Entry, write: { epoch: string; ttlSeconds: number; json: string | undefined }): void {
    this.pendingWrites += 1;
    this.l2
      .write(entry.key, { ...write, position: entry.position, tags: entry.tags })
      .then((outcome) => {
        if (outcome === 'refused') this.l1.deleteEntry(entry);
      })
      .catch((error: unknown) => {
        this.l1.deleteEntry(entry);
        (this.options.onError ?? (() => undefined))(error, 'write');
      })
      .finally(() => {
        this.pendingWrites -= 1;
        if (this.pendingWrites === 0) for (const resolve of this.drained.splice(0)) resolve();
      });
  }

  /** Write-backs to Redis started and not answered yet. */
  get pendingWriteBacks(): number {
    return this.pendingWrites;
  }

  /** Resolves once every write-back started so far has finished (tests, and a clean shutdown). */
  async settled(): Promise<void> {
    if (this.pendingWrites === 0) return;
    await new Promise<void>((resolve) => this.drained.push(resolve));
  }
}

/** An entry's tags and their families (see tagFamilyOf), each once. */
const entryTags = (tags: readonly string[]) => withTagFamilies(tags);

/** Approximate bytes an L1 entry costs beyond its JSON and key (objects, index, LRU slots). */
const ENTRY_OVERHEAD = 200;

const UNSERIALIZABLE = Symbol('unserializable');
function toJson(value: unknown): string | undefined | typeof UNSERIALIZABLE {
  try {
    return JSON.stringify(value) as string | undefined;
  } catch {
    return UNSERIALIZABLE;
  }
}
