import { formatScaledDecimal, MAX_QUANTITY, parseQuantity, storedScaledDecimal } from './decimal-quantity';

describe('decimal quantities', () => {
  it.each([
    ['0', 0n, '0'],
    ['1', 1_000_000_000_000n, '1'],
    ['1.5', 1_500_000_000_000n, '1.5'],
    ['007.50', 7_500_000_000_000n, '7.5'],
    ['0.000000000001', 1n, '0.000000000001'],
    ['999999999999999.999999999999', MAX_QUANTITY * 1_000_000_000_000n - 1n, '999999999999999.999999999999'],
  ])('reads %s exactly as %s (canonical %s)', (text, scaled, canonical) => {
    expect(parseQuantity(text, '/quantity')).toBe(scaled);
    expect(formatScaledDecimal(scaled)).toBe(canonical);
  });

  it.each([
    ['-1', /non-negative plain decimal/],
    ['1e3', /non-negative plain decimal/],
    ['', /non-negative plain decimal/],
    [' 1', /non-negative plain decimal/],
    ['1,5', /non-negative plain decimal/],
    ['.5', /non-negative plain decimal/],
    ['1.0000000000001', /at most 12 decimals/],
    ['1000000000000000', /less than 1000000000000000/],
    [1, /non-negative plain decimal/],
  ])('refuses %j', (value, message) => {
    expect(parseQuantity(value, '/records/0/quantity')).toEqual({
      path: '/records/0/quantity',
      message: expect.stringMatching(message),
    });
  });

  it('shows at least the decimals asked for (a unit price in its currency)', () => {
    expect(formatScaledDecimal(2_000_000_000_000n, 2)).toBe('2.00');
    expect(formatScaledDecimal(12_000_000n, 2)).toBe('0.000012');
    expect(formatScaledDecimal(500_000_000_000n, 0)).toBe('0.5');
  });

  it('reads stored decimals without throwing: extra decimals cut, garbage as 0', () => {
    expect(storedScaledDecimal('1.25')).toBe(1_250_000_000_000n);
    expect(storedScaledDecimal('1.0000000000019')).toBe(1_000_000_000_001n);
    expect(storedScaledDecimal('abc')).toBe(0n);
  });
});
