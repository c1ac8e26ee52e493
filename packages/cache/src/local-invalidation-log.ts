/** A read in progress, as the log knows it: the sequence number it started at. */
export interface FillTicket {
  readonly start: number;
}

/** Past this many remembered tags, forget those older than every read in progress. */
const PRUNE_THRESHOLD = 10_000;

/**
 * The in-process half of "a stale entry can never be written back": remembers which tags were
 * invalidated (or whether L1 was flushed) while reads were in progress, so a read that began before
 * an invalidation does not put its result into L1 afterwards. Only reads in progress care, so the
 * log forgets everything whenever none is, and keeps memory bounded under constant load by pruning.
 */
export class LocalInvalidationLog {
  private sequence = 0;
  private flushedAt = -1;
  private readonly invalidatedAt = new Map<string, number>();
  private readonly open = new Set<FillTicket>();

  /** Call before reading L2 or the source; hand the ticket to `isStale` and `end`. */
  begin(): FillTicket {
    const ticket = { start: this.sequence };
    this.open.add(ticket);
    return ticket;
  }

  end(ticket: FillTicket): void {
    this.open.delete(ticket);
    if (this.open.size === 0) this.invalidatedAt.clear();
  }

  /** True when one of `tags` was invalidated, or L1 flushed, since the ticket began. */
  isStale(ticket: FillTicket, tags: readonly string[]): boolean {
    if (this.flushedAt > ticket.start) return true;
    return tags.some((tag) => (this.invalidatedAt.get(tag) ?? -1) > ticket.start);
  }

  invalidate(tags: readonly string[]): void {
    if (this.open.size === 0) return;
    this.sequence += 1;
    for (const tag of tags) this.invalidatedAt.set(tag, this.sequence);
    if (this.invalidatedAt.size > PRUNE_THRESHOLD) this.prune();
  }

  flush(): void {
    this.sequence += 1;
    this.flushedAt = this.sequence;
    this.invalidatedAt.clear();
  }

  private prune(): void {
    let oldest = Infinity;
    for (const ticket of this.open) oldest = Math.min(oldest, ticket.start);
    for (const [tag, at] of this.invalidatedAt) if (at <= oldest) this.invalidatedAt.delete(tag);
  }
}
