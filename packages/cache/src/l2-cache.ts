import type Redis from 'ioredis';
import type { CacheKeys } from './cache-keys';
import type { CacheOperation, CacheStats } from './cache-stats';
import { readEntryScript, writeEntryScript } from './l2-scripts';

/** What a read of L2 found. `epoch` is the invalidation counter at that moment (a decimal string). */
export type L2Read =
  | { kind: 'hit'; epoch: string; value: unknown; position: bigint; ttlMs: number; bytes: number }
  | { kind: 'miss'; epoch: string }
  /** Redis is down, slow or answered garbage: carry on without it. */
  | { kind: 'unavailable' };

export type L2WriteOutcome = 'stored' | 'refused' | 'unavailable';

/** The stored payload: `p` the position, `v` the value (absent for `undefined`). */
interface Payload {
  p: string;
  v?: unknown;
}

/**
 * L2 on Redis. Every call is one script round trip, and every failure (Redis down, command timeout,
 * a reply it cannot parse) comes back as `unavailable`, counted, never thrown: the cache then works
 * from L1 and the source. While the connection is not ready no command is even sent, so a Redis
 * outage costs nothing per request; ioredis reconnects in the background and L2 resumes by itself.
 */
export class L2Cache {
  constructor(
    private readonly redis: Redis,
    private readonly keys: CacheKeys,
    private readonly stats: CacheStats,
    private readonly onError: (error: unknown, operation: CacheOperation) => void,
  ) {}

  async read(key: string): Promise<L2Read> {
    if (!this.usable()) return { kind: 'unavailable' };
    try {
      const reply = (await readEntryScript.run(this.redis, [key, this.keys.epoch], [this.keys.tagPrefix])) as [
        number,
        string,
        string?,
        number?,
      ];
      const [status, epoch, raw, ttlMs] = reply;
      if (status !== 1 || raw === undefined) return { kind: 'miss', epoch };
      const payload = JSON.parse(raw) as Payload;
      return {
        kind: 'hit',
        epoch,
        value: payload.v,
        position: BigInt(payload.p),
        ttlMs: Number(ttlMs ?? 0),
        bytes: raw.length,
      };
    } catch (error) {
      return this.failed(error, 'read');
    }
  }

  /**
   * Stores an entry unless one of its tags was invalidated after `epoch` was read (then `refused`:
   * the value may predate that invalidation). `json` is the value's JSON, undefined for `undefined`.
   */
  async write(
    key: string,
    entry: { epoch: string; ttlSeconds: number; position: bigint; json: string | undefined; tags: readonly string[] },
  ): Promise<L2WriteOutcome> {
    if (!this.usable()) return 'unavailable';
    const payload =
      entry.json === undefined ? `{"p":"${entry.position}"}` : `{"p":"${entry.position}","v":${entry.json}}`;
    try {
      const stored = await writeEntryScript.run(
        this.redis,
        [key, this.keys.epoch, ...entry.tags.map(this.keys.tag)],
        [entry.epoch, entry.ttlSeconds, payload, ...entry.tags],
      );
      return stored === 1 ? 'stored' : 'refused';
    } catch (error) {
      return this.failed(error, 'write').kind;
    }
  }

  private usable(): boolean {
    if (this.redis.status === 'ready') return true;
    this.stats.bypass();
    return false;
  }

  private failed(error: unknown, operation: CacheOperation): { kind: 'unavailable' } {
    this.stats.error(operation);
    this.onError(error, operation);
    return { kind: 'unavailable' };
  }
}
