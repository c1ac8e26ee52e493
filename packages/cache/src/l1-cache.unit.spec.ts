import { L1Cache, type L1Entry } from './l1-cache';

const entry = (key: string, tags: string[], size = 10): L1Entry => ({ key, value: { key }, position: 1n, tags, size });

describe('L1Cache', () => {
  it('drops exactly the entries carrying an invalidated tag', () => {
    const l1 = new L1Cache({ maxEntries: 10, maxBytes: 10_000, ttlMs: 60_000 });
    l1.set(entry('a', ['payment:1', 'org:x']), 60_000);
    l1.set(entry('b', ['payment:2', 'org:x']), 60_000);
    l1.set(entry('c', ['payment:3']), 60_000);
    expect(l1.invalidate(['payment:1'])).toBe(1);
    expect(l1.get('a')).toBeUndefined();
    expect(l1.get('b')).toBeDefined();
    expect(l1.invalidate(['org:x'])).toBe(1);
    expect(l1.get('b')).toBeUndefined();
    expect(l1.get('c')).toBeDefined();
  });

  it('keeps the index right when an entry is replaced under the same key', () => {
    const l1 = new L1Cache({ maxEntries: 10, maxBytes: 10_000, ttlMs: 60_000 });
    l1.set(entry('a', ['payment:1']), 60_000);
    const replacement = entry('a', ['payment:1']);
    l1.set(replacement, 60_000);
    expect(l1.get('a')).toBe(replacement);
    expect(l1.invalidate(['payment:1'])).toBe(1);
    expect(l1.get('a')).toBeUndefined();
  });

  it('is bounded by entry count, by size and by time', async () => {
    const byCount = new L1Cache({ maxEntries: 2, maxBytes: 10_000, ttlMs: 60_000 });
    for (const key of ['a', 'b', 'c']) byCount.set(entry(key, []), 60_000);
    expect(byCount.entries).toBe(2);
    expect(byCount.get('a')).toBeUndefined();

    const bySize = new L1Cache({ maxEntries: 100, maxBytes: 100, ttlMs: 60_000 });
    for (const key of ['a', 'b', 'c']) bySize.set(entry(key, [], 40), 60_000);
    expect(bySize.bytes).toBeLessThanOrEqual(100);
    expect(bySize.get('a')).toBeUndefined();
    bySize.set(entry('huge', ['t'], 1_000), 60_000);
    expect(bySize.get('huge')).toBeUndefined();
    expect(bySize.invalidate(['t'])).toBe(0);

    const byTime = new L1Cache({ maxEntries: 100, maxBytes: 10_000, ttlMs: 60_000 });
    byTime.set(entry('a', []), 20);
    const storedAt = performance.now();
    // Wait for the clock lru-cache reads (performance.now, cached for 1 ms) to pass the 20 ms TTL.
    while (performance.now() - storedAt <= 22) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(byTime.get('a')).toBeUndefined();
  });

  it('keeps an entry read at a later position over an older load that finishes after it', () => {
    const l1 = new L1Cache({ maxEntries: 10, maxBytes: 10_000, ttlMs: 60_000 });
    const newer = { ...entry('a', []), position: 8n };
    l1.set(newer, 60_000);
    l1.set({ ...entry('a', []), position: 7n }, 60_000);
    expect(l1.get('a')).toBe(newer);
  });
});
