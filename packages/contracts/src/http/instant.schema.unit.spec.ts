import { isSupportedDay, isSupportedInstant, parseInstant } from './instant.schema';

describe('supported instants', () => {
  it.each([
    ['2026-01-31T12:34:56Z', '2026-01-31T12:34:56.000Z'],
    ['2026-01-31t12:34:56z', '2026-01-31T12:34:56.000Z'],
    ['2024-02-29T00:00:00.5+01:00', '2024-02-28T23:00:00.500Z'],
    ['2026-06-01T00:00:00.123456789-05:30', '2026-06-01T05:30:00.123Z'],
    ['1970-01-01T00:00:00Z', '1970-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999999Z', '9999-12-31T23:59:59.999Z'],
  ])('%s is %s', (value, iso) => {
    expect(parseInstant(value)?.toISOString()).toBe(iso);
    expect(isSupportedInstant(value)).toBe(true);
  });

  it.each([
    ['a leap second', '2016-12-31T23:59:60Z'],
    ['year 0', '0000-01-01T00:00:00Z'],
    ['before 1970', '1969-12-31T23:59:59Z'],
    ['before 1970 once in UTC', '1970-01-01T00:30:00+01:00'],
    ['year 10000 once in UTC', '9999-12-31T23:00:00-05:00'],
    ['February 30', '2026-02-30T00:00:00Z'],
    ['February 29 of a common year', '2026-02-29T00:00:00Z'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['hour 24', '2026-01-01T24:00:00Z'],
    ['minute 60', '2026-01-01T23:60:00Z'],
    ['an offset past 23:59', '2026-01-01T00:00:00+24:00'],
    ['no time zone', '2026-01-01T00:00:00'],
    ['a space for T', '2026-01-01 00:00:00Z'],
    ['a date alone', '2026-01-01'],
    ['six-digit years', '+275760-09-13T00:00:00Z'],
    ['ten fraction digits', '2026-01-01T00:00:00.1234567890Z'],
    ['text', 'yesterday'],
    ['a trailing newline', '2026-01-01T00:00:00Z\n'],
  ])('refuses %s (%s)', (_name, value) => {
    expect(parseInstant(value)).toBeUndefined();
    expect(isSupportedInstant(value)).toBe(false);
  });
});

describe('supported days', () => {
  it('accepts real calendar days from 1970 to 9999', () => {
    for (const day of ['1970-01-01', '2024-02-29', '2026-12-31', '9999-12-31'])
      expect([day, isSupportedDay(day)]).toEqual([day, true]);
  });

  it('refuses year 0, days that do not exist and other shapes', () => {
    for (const day of [
      '0000-01-01',
      '1969-12-31',
      '2026-02-30',
      '2026-04-31',
      '2026-00-10',
      '10000-01-01',
      '2026-1-1',
      '2026-01-01T00:00:00Z',
    ]) {
      expect([day, isSupportedDay(day)]).toEqual([day, false]);
    }
  });
});
