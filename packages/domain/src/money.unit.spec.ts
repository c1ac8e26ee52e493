import { CURRENCY_CODES } from './currencies';
import { DomainError, isDomainError } from './errors';
import {
  findCurrency,
  formatAmount,
  formatStoredAmount,
  isCurrencyCode,
  listCurrencies,
  MAX_AMOUNT_MAJOR_UNITS,
  parseAmount,
  storedAmountToMinor,
  tryParseAmount,
} from './money';

/** The DomainError parseAmount throws, or a failure if it does not throw one. */
function parseError(amount: string, currency: string, path?: string): DomainError {
  try {
    parseAmount(amount, currency, path);
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error(`parseAmount(${JSON.stringify(amount)}, ${currency}) did not throw`);
}

describe('currencies', () => {
  it.each([
    ['EUR', 2],
    ['USD', 2],
    ['GBP', 2],
    ['CHF', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['ISK', 0],
    ['XOF', 0],
    ['BHD', 3],
    ['KWD', 3],
    ['TND', 3],
    ['JOD', 3],
    ['OMR', 3],
    ['IQD', 3],
    ['LYD', 3],
    ['CLF', 4],
    ['UYW', 4],
  ])('%s has %i decimals', (code, exponent) => {
    expect(findCurrency(code)).toEqual({ code, exponent });
    expect(isCurrencyCode(code)).toBe(true);
  });

  it.each(['eur', 'Eur', 'EURO', 'XXX', 'XAU', 'XTS', 'HRK', '', ' EUR', 'constructor', '__proto__', 'toString'])(
    'does not know %j',
    (code) => {
      expect(findCurrency(code)).toBeUndefined();
      expect(isCurrencyCode(code)).toBe(false);
    },
  );

  it('has the whole active ISO 4217 list, every code three upper-case letters with 0 to 4 decimals', () => {
    expect(CURRENCY_CODES.length).toBeGreaterThanOrEqual(150);
    for (const { code, exponent } of listCurrencies()) {
      expect(code).toMatch(/^[A-Z]{3}$/);
      expect([0, 2, 3, 4]).toContain(exponent);
    }
    expect(listCurrencies().map((c) => c.code)).toEqual(CURRENCY_CODES);
  });
});

describe('parseAmount', () => {
  it.each([
    ['100.00', 'EUR', 10000n],
    ['100', 'EUR', 10000n],
    ['100.5', 'EUR', 10050n],
    ['0.01', 'EUR', 1n],
    ['007.50', 'EUR', 750n],
    ['00000.01', 'USD', 1n],
    ['1500', 'JPY', 1500n],
    ['1', 'KRW', 1n],
    ['0.005', 'BHD', 5n],
    ['1.5', 'BHD', 1500n],
    ['12.345', 'KWD', 12345n],
    ['0.0001', 'CLF', 1n],
    ['999999999999.99', 'EUR', 99999999999999n],
    ['999999999999', 'JPY', 999999999999n],
    ['999999999999.999', 'BHD', 999999999999999n],
  ])('parses %s %s into %d minor units', (amount, currency, minor) => {
    expect(parseAmount(amount, currency)).toBe(minor);
  });

  it.each([
    '',
    ' ',
    '.5',
    '5.',
    '.',
    '+5',
    '-5',
    '- 5',
    '1e3',
    '1E3',
    '0x10',
    ' 5',
    '5 ',
    '1,00',
    '1 000',
    '1_000',
    'abc',
    '5.0.0',
    'NaN',
    'Infinity',
    '１２',
    '٣',
    '1.-1',
    '5\n',
  ])('rejects %j: not a plain decimal', (amount) => {
    const e = parseError(amount, 'EUR');
    expect(e.code).toBe('VALIDATION');
    expect(e.errors).toEqual([{ path: '/amount', message: expect.stringMatching(/plain decimal string/) }]);
  });

  it.each([
    ['1.001', 'EUR', 'EUR amounts take at most 2 decimals'],
    ['1.000', 'EUR', 'EUR amounts take at most 2 decimals'],
    ['0.001', 'USD', 'USD amounts take at most 2 decimals'],
    ['10.5', 'JPY', 'JPY amounts take no decimals'],
    ['10.0', 'JPY', 'JPY amounts take no decimals'],
    ['0.0001', 'BHD', 'BHD amounts take at most 3 decimals'],
    ['1.00001', 'CLF', 'CLF amounts take at most 4 decimals'],
  ])('rejects %s %s: too many decimals (trailing zeros too)', (amount, currency, message) => {
    expect(parseError(amount, currency).errors).toEqual([{ path: '/amount', message }]);
  });

  it.each([
    ['0', 'EUR'],
    ['0.00', 'EUR'],
    ['000', 'JPY'],
    ['0.000', 'BHD'],
  ])('rejects %s %s: must be positive', (amount, currency) => {
    expect(parseError(amount, currency).errors).toEqual([{ path: '/amount', message: 'must be positive' }]);
  });

  it.each([
    ['1000000000000', 'EUR'],
    ['1000000000000.00', 'EUR'],
    ['1000000000000', 'JPY'],
    ['1000000000000.001', 'BHD'],
    ['99999999999999999999999999', 'EUR'],
    ['0001000000000000', 'USD'],
  ])('rejects %s %s: 10^12 major units or more', (amount, currency) => {
    expect(parseError(amount, currency).errors).toEqual([
      { path: '/amount', message: `must be less than 1000000000000 ${currency}` },
    ]);
  });

  it('rejects an unknown currency on the /currency path', () => {
    const e = parseError('10.00', 'ABC');
    expect(e).toMatchObject({ code: 'VALIDATION', name: 'DomainError' });
    expect(e.errors).toEqual([{ path: '/currency', message: expect.stringMatching(/ISO 4217/) }]);
  });

  it('puts amount errors on the path it is given', () => {
    expect(parseError('0', 'EUR', '/refund/amount').errors[0]?.path).toBe('/refund/amount');
  });

  it('rejects values that are not strings, as JSON may carry them', () => {
    expect(parseError(100 as unknown as string, 'EUR').errors[0]?.path).toBe('/amount');
    expect(parseError(null as unknown as string, 'EUR').code).toBe('VALIDATION');
  });

  it('tryParseAmount returns the error rather than throwing', () => {
    expect(tryParseAmount('1.00', 'EUR')).toBe(100n);
    const e = tryParseAmount('1.001', 'EUR');
    expect(isDomainError(e)).toBe(true);
  });

  it('bounds amounts at 10^12 major units', () => {
    expect(MAX_AMOUNT_MAJOR_UNITS).toBe(1000000000000n);
  });
});

describe('formatAmount', () => {
  it.each([
    [10000n, 'EUR', '100.00'],
    [1n, 'EUR', '0.01'],
    [10n, 'EUR', '0.10'],
    [0n, 'EUR', '0.00'],
    [1500n, 'JPY', '1500'],
    [5n, 'BHD', '0.005'],
    [1500n, 'BHD', '1.500'],
    [1n, 'CLF', '0.0001'],
    [99999999999999n, 'EUR', '999999999999.99'],
    [-150n, 'EUR', '-1.50'],
  ])('formats %d %s as %s', (minor, currency, text) => {
    expect(formatAmount(minor, currency)).toBe(text);
  });

  it('throws a VALIDATION DomainError for an unknown currency', () => {
    expect(() => formatAmount(1n, 'ABC')).toThrow(DomainError);
  });

  it.each([
    ['7.5', 'EUR', '7.50'],
    ['007.50', 'EUR', '7.50'],
    ['0100', 'JPY', '100'],
    ['1.5', 'BHD', '1.500'],
    ['0.1', 'CLF', '0.1000'],
  ])('round-trips %s %s to its canonical form %s', (amount, currency, canonical) => {
    const canonicalText = formatAmount(parseAmount(amount, currency), currency);
    expect(canonicalText).toBe(canonical);
    expect(parseAmount(canonicalText, currency)).toBe(parseAmount(amount, currency));
  });
});

describe('reading stored amounts (never throws)', () => {
  it('reads canonical amounts exactly', () => {
    expect(storedAmountToMinor('100.00', 'EUR')).toBe(10000n);
    expect(storedAmountToMinor('0.005', 'BHD')).toBe(5n);
    expect(formatStoredAmount(10000n, 'EUR')).toBe('100.00');
  });

  it('does its best with what cannot be parsed strictly', () => {
    expect(storedAmountToMinor('garbage', 'EUR')).toBe(0n);
    expect(storedAmountToMinor('1.239', 'EUR')).toBe(123n);
    expect(storedAmountToMinor('1.5', 'ZZZ')).toBe(150n);
    expect(formatStoredAmount(150n, 'ZZZ')).toBe('1.50');
  });
});
