import { LocalInvalidationLog } from './local-invalidation-log';

describe('LocalInvalidationLog', () => {
  it('spoils a fill begun before an invalidation of one of its tags, and only those', () => {
    const log = new LocalInvalidationLog();
    const before = log.begin();
    log.invalidate(['payment:1']);
    const after = log.begin();
    expect(log.isStale(before, ['payment:1'])).toBe(true);
    expect(log.isStale(before, ['payment:2'])).toBe(false);
    expect(log.isStale(after, ['payment:1'])).toBe(false);
  });

  it('spoils every fill begun before a flush', () => {
    const log = new LocalInvalidationLog();
    const before = log.begin();
    log.flush();
    expect(log.isStale(before, ['anything'])).toBe(true);
    expect(log.isStale(log.begin(), ['anything'])).toBe(false);
  });

  it('remembers nothing once no fill is in progress', () => {
    const log = new LocalInvalidationLog();
    log.invalidate(['payment:1']);
    const ticket = log.begin();
    expect(log.isStale(ticket, ['payment:1'])).toBe(false);
    log.invalidate(['payment:1']);
    log.end(ticket);
    const next = log.begin();
    expect(log.isStale(next, ['payment:1'])).toBe(false);
  });

  it('keeps spoiling old fills while pruning tags under constant load', () => {
    const log = new LocalInvalidationLog();
    const old = log.begin();
    log.invalidate(['payment:old']);
    for (let index = 0; index < 20_000; index += 1) log.invalidate([`payment:${index}`]);
    expect(log.isStale(old, ['payment:old'])).toBe(true);
    expect(log.isStale(old, ['payment:19999'])).toBe(true);
  });
});
