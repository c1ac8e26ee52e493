import { bucketCount, checkedRange } from './usage-analytics-range';

const at = (iso: string) => new Date(iso);

describe('bucketCount', () => {
  it('counts the UTC buckets a half-open range touches, a partial first bucket included', () => {
    expect(bucketCount(at('2026-02-01T00:00:00Z'), at('2026-02-01T01:00:00Z'), 'hour')).toBe(1);
    expect(bucketCount(at('2026-02-01T00:30:00Z'), at('2026-02-01T01:00:00.001Z'), 'hour')).toBe(2);
    expect(bucketCount(at('2026-02-01T00:00:00Z'), at('2026-02-03T00:00:00Z'), 'day')).toBe(2);
    expect(bucketCount(at('2026-01-31T23:59:59.999Z'), at('2026-02-01T00:00:00.001Z'), 'day')).toBe(2);
    expect(bucketCount(at('2026-01-01T00:00:00Z'), at('2026-03-01T00:00:00Z'), 'month')).toBe(2);
    expect(bucketCount(at('2026-01-31T00:00:00Z'), at('2026-03-01T00:00:00.001Z'), 'month')).toBe(3);
    expect(bucketCount(at('2025-12-15T00:00:00Z'), at('2026-01-15T00:00:00Z'), 'month')).toBe(2);
    expect(bucketCount(at('2026-02-01T00:00:00Z'), at('2026-02-01T00:00:00Z'), 'hour')).toBe(0);
  });
});

describe('checkedRange', () => {
  const problem = (query: { from: string; to: string }, interval: 'hour' | 'day' | 'month', maxDays = 400) => {
    try {
      checkedRange(query, interval, maxDays);
      return undefined;
    } catch (error) {
      return (error as { code: string; errors: { path: string }[] }).errors[0]?.path;
    }
  };

  it('accepts up to 1,000 buckets and the day limit, and names the parameter past either', () => {
    expect(problem({ from: '2026-01-01T00:00:00Z', to: '2026-02-11T16:00:00Z' }, 'hour')).toBeUndefined();
    expect(problem({ from: '2026-01-01T00:00:00Z', to: '2026-02-11T16:00:00.001Z' }, 'hour')).toBe(
      'querystring:/interval',
    );
    expect(problem({ from: '2025-01-01T00:00:00Z', to: '2026-02-05T00:00:00Z' }, 'month')).toBeUndefined();
    expect(problem({ from: '2025-01-01T00:00:00Z', to: '2026-02-05T00:00:00.001Z' }, 'month')).toBe('querystring:/to');
    expect(problem({ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 'day')).toBe('querystring:/from');
    expect(problem({ from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 'day')).toBe('querystring:/from');
  });
});
