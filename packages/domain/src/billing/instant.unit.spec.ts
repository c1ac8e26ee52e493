import { formatInstant, parseInstantMs, storedInstantToMs } from './instant';

describe('instants', () => {
  it.each([
    ['2025-03-01T10:00:00Z', '2025-03-01T10:00:00.000Z'],
    ['2025-03-01T11:30:00+01:30', '2025-03-01T10:00:00.000Z'],
    ['2025-03-01t10:00:00.123456789z', '2025-03-01T10:00:00.123Z'],
    ['2024-02-29T23:59:59.999-00:00', '2024-02-29T23:59:59.999Z'],
  ])('reads %s as %s', (text, canonical) => {
    const ms = parseInstantMs(text);
    expect(ms !== undefined && formatInstant(ms)).toBe(canonical);
  });

  it.each([
    '2025-02-30T00:00:00Z',
    '2025-02-28T24:00:00Z',
    '2016-12-31T23:59:60Z',
    '2025-03-01T10:00:00',
    '2025-03-01',
    '1969-12-31T23:59:59Z',
    '10000-01-01T00:00:00Z',
    '2025-03-01T10:00:00+24:00',
    ' 2025-03-01T10:00:00Z',
  ])('refuses %j', (text) => {
    expect(parseInstantMs(text)).toBeUndefined();
  });

  it('refuses what is not a string, and reads stored garbage as the epoch without throwing', () => {
    expect(parseInstantMs(Date.now())).toBeUndefined();
    expect(storedInstantToMs('not a time')).toBe(0);
  });
});
