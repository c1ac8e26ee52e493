import fc from 'fast-check';
import {
  addDuration,
  formatDuration,
  parseDuration,
  storedDuration,
  validateBoundedDuration,
  type IsoDuration,
} from './duration';
import { isFieldError } from './decimal-quantity';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();
const d = (text: string): IsoDuration => {
  const parsed = parseDuration(text);
  if (parsed === undefined) throw new Error(`not a duration: ${text}`);
  return parsed;
};

describe('ISO 8601 durations', () => {
  it.each([
    ['P1M', 'P1M'],
    ['PT1S', 'PT1S'],
    ['P1Y', 'P1Y'],
    ['P2W', 'P2W'],
    ['P1DT12H', 'P1DT12H'],
    ['P01M', 'P1M'],
    ['PT1H30M', 'PT1H30M'],
    ['P1Y0M0D', 'P1Y'],
    ['P0D', 'PT0S'],
  ])('reads %s, spelled canonically %s', (text, canonical) => {
    expect(formatDuration(d(text))).toBe(canonical);
  });

  it.each([
    '',
    'P',
    'PT',
    'P1DT',
    'p1m',
    'P1.5D',
    'PT0.5S',
    '-P1D',
    ' P1D',
    'P1D ',
    'P1S',
    'PT1D',
    'P1M1Y',
    'P1234567890D',
    'R/P1D',
  ])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('refuses what is not a string', () => {
    expect(parseDuration(30)).toBeUndefined();
    expect(parseDuration(null)).toBeUndefined();
  });
});

describe('bounded durations: PT1S to P1Y from any start', () => {
  it.each(['PT1S', 'P1Y', 'P12M', 'P365D', 'PT8760H', 'PT31536000S', 'P52W', 'P11M28D', 'P6M15DT3H'])(
    'accepts %s',
    (text) => {
      const result = validateBoundedDuration(text, '/cycle');
      expect(isFieldError(result)).toBe(false);
    },
  );

  it.each([
    ['PT0S', 'must be at least PT1S'],
    ['P0D', 'must be at least PT1S'],
    ['P1Y1D', 'must be at most P1Y from any start'],
    ['P13M', 'must be at most P1Y from any start'],
    ['P2Y', 'must be at most P1Y from any start'],
    ['P366D', 'must be at most P1Y from any start'],
    ['PT31536001S', 'must be at most P1Y from any start'],
    ['P53W', 'must be at most P1Y from any start'],
    // From March 1st, 11 months end on February 1st and a year on March 1st: only 28 days apart.
    ['P11M29D', 'must be at most P1Y from any start'],
  ])('refuses %s: %s', (text, message) => {
    expect(validateBoundedDuration(text, '/cycle')).toEqual({ path: '/cycle', message });
  });

  it('names the path of a malformed duration', () => {
    expect(validateBoundedDuration('1 month', '/dunning/2')).toEqual({
      path: '/dunning/2',
      message: expect.stringMatching(/ISO 8601/),
    });
  });

  it('ends no later than a year after any start, and after the start (property)', () => {
    const start = fc.integer({ min: at('1970-01-01T00:00:00Z'), max: at('9000-12-31T00:00:00Z') });
    const components = fc.record({
      years: fc.integer({ min: 0, max: 1 }),
      months: fc.integer({ min: 0, max: 13 }),
      weeks: fc.integer({ min: 0, max: 53 }),
      days: fc.integer({ min: 0, max: 366 }),
      hours: fc.integer({ min: 0, max: 48 }),
      minutes: fc.integer({ min: 0, max: 90 }),
      seconds: fc.integer({ min: 0, max: 90 }),
    });
    let accepted = 0;
    fc.assert(
      fc.property(start, components, (s, parts) => {
        const result = validateBoundedDuration(formatDuration(parts), '/cycle');
        if (isFieldError(result)) return;
        accepted += 1;
        const end = addDuration(s, result.duration);
        expect(end).toBeGreaterThanOrEqual(s + 1000);
        expect(end).toBeLessThanOrEqual(addDuration(s, d('P1Y')));
      }),
      { numRuns: 2000, seed: 20250131 },
    );
    expect(accepted).toBeGreaterThan(100);
  });
});

describe('adding durations in UTC calendar terms', () => {
  it.each([
    ['2025-01-31T00:00:00.000Z', 'P1M', '2025-02-28T00:00:00.000Z'],
    ['2024-01-31T00:00:00.000Z', 'P1M', '2024-02-29T00:00:00.000Z'],
    ['2025-03-31T10:30:00.000Z', 'P1M', '2025-04-30T10:30:00.000Z'],
    ['2024-02-29T00:00:00.000Z', 'P1Y', '2025-02-28T00:00:00.000Z'],
    ['2025-12-15T08:00:00.000Z', 'P1M', '2026-01-15T08:00:00.000Z'],
    ['2025-01-31T00:00:00.000Z', 'P1M1D', '2025-03-01T00:00:00.000Z'],
    ['2025-03-30T23:00:00.000Z', 'PT2H', '2025-03-31T01:00:00.000Z'],
    ['2025-01-01T00:00:00.000Z', 'P2W', '2025-01-15T00:00:00.000Z'],
  ])('%s + %s = %s', (start, duration, end) => {
    expect(iso(addDuration(at(start), d(duration)))).toBe(end);
  });

  it('counts several periods from the start, so month ends do not drift', () => {
    const jan31 = at('2025-01-31T00:00:00Z');
    expect([1, 2, 3, 4].map((n) => iso(addDuration(jan31, d('P1M'), n)))).toEqual([
      '2025-02-28T00:00:00.000Z',
      '2025-03-31T00:00:00.000Z',
      '2025-04-30T00:00:00.000Z',
      '2025-05-31T00:00:00.000Z',
    ]);
  });

  it('reads a stored duration without throwing: an unreadable one counts as a day', () => {
    expect(storedDuration('P3D')).toEqual(d('P3D'));
    expect(storedDuration('garbage')).toEqual(d('P1D'));
  });
});
