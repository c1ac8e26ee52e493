import fc from 'fast-check';
import { DomainError } from './errors';
import { formatAmount, listCurrencies, MAX_AMOUNT_MAJOR_UNITS, parseAmount, type CurrencyInfo } from './money';

const currency = fc.constantFrom(...listCurrencies());
const scale = (c: CurrencyInfo): bigint => 10n ** BigInt(c.exponent);

/** A currency and a valid amount in it, in minor units: 1 .. 10^12 major units - 1 minor unit. */
const validMinor = currency.chain((c) =>
  fc.tuple(fc.constant(c), fc.bigInt({ min: 1n, max: MAX_AMOUNT_MAJOR_UNITS * scale(c) - 1n })),
);

/** A string oracle independent of parseAmount: drop leading zeros, pad the decimals. */
function canonical(whole: string, fraction: string, exponent: number): string {
  const w = whole.replace(/^0+(?=\d)/, '');
  return exponent === 0 ? w : `${w}.${fraction.padEnd(exponent, '0')}`;
}

const canonicalPattern = (exponent: number): RegExp =>
  exponent === 0 ? /^(0|[1-9]\d*)$/ : new RegExp(`^(0|[1-9]\\d*)\\.\\d{${exponent}}$`);

/** Thrown DomainError of a call, or undefined when it returned. */
function thrown(f: () => unknown): unknown {
  try {
    f();
    return undefined;
  } catch (e) {
    return e;
  }
}

describe('money laws', () => {
  it('parseAmount(formatAmount(m)) === m for every valid amount, and the text is canonical', () => {
    fc.assert(
      fc.property(validMinor, ([c, minor]) => {
        const text = formatAmount(minor, c.code);
        expect(text).toMatch(canonicalPattern(c.exponent));
        expect(parseAmount(text, c.code)).toBe(minor);
      }),
      { numRuns: 2000 },
    );
  });

  it('formatAmount(parseAmount(s)) is the canonical form of any accepted spelling, leading zeros included', () => {
    const spelling = currency.chain((c) =>
      fc.tuple(
        fc.constant(c),
        fc.stringMatching(/^\d{1,14}$/),
        fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: Math.max(1, c.exponent) }),
        fc.boolean(),
      ),
    );
    fc.assert(
      fc.property(spelling, ([c, whole, digits, withFraction]) => {
        const fraction = withFraction && c.exponent > 0 ? digits.slice(0, c.exponent) : '';
        const text = fraction ? `${whole}.${fraction}` : whole;
        const expected = canonical(whole, fraction, c.exponent);
        const minorOfExpected = BigInt(expected.replace('.', ''));
        const error = thrown(() => parseAmount(text, c.code));
        if (minorOfExpected === 0n || minorOfExpected >= MAX_AMOUNT_MAJOR_UNITS * scale(c)) {
          expect(error).toBeInstanceOf(DomainError);
        } else {
          expect(error).toBeUndefined();
          expect(formatAmount(parseAmount(text, c.code), c.code)).toBe(expected);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never accepts more decimals than the currency has, even zeros', () => {
    const tooPrecise = currency.chain((c) =>
      fc.tuple(
        fc.constant(c),
        fc.stringMatching(/^\d{1,6}$/),
        fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: c.exponent + 1, maxLength: c.exponent + 6 }),
      ),
    );
    fc.assert(
      fc.property(tooPrecise, ([c, whole, fraction]) => {
        const error = thrown(() => parseAmount(`${whole}.${fraction}`, c.code));
        expect(error).toBeInstanceOf(DomainError);
        expect((error as DomainError).errors).toEqual([
          { path: '/amount', message: expect.stringContaining(`${c.code} amounts take`) },
        ]);
      }),
      { numRuns: 1000 },
    );
  });

  it('on any input either returns an in-range positive amount or throws a VALIDATION DomainError', () => {
    const anyText = fc.oneof(
      fc.string(),
      fc.stringMatching(/^[-+ .eE0-9]{0,12}$/),
      fc.string({ unit: 'binary', maxLength: 8 }),
    );
    fc.assert(
      fc.property(anyText, currency, (text, c) => {
        let minor: bigint;
        try {
          minor = parseAmount(text, c.code);
        } catch (e) {
          expect(e).toBeInstanceOf(DomainError);
          expect((e as DomainError).code).toBe('VALIDATION');
          return;
        }
        expect(text).toMatch(/^\d+(\.\d+)?$/);
        expect(minor > 0n && minor < MAX_AMOUNT_MAJOR_UNITS * scale(c)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps order: a larger amount parses to more minor units', () => {
    fc.assert(
      fc.property(validMinor, fc.bigInt({ min: 1n, max: 10n ** 6n }), ([c, minor], delta) => {
        fc.pre(minor + delta < MAX_AMOUNT_MAJOR_UNITS * scale(c));
        expect(
          parseAmount(formatAmount(minor + delta, c.code), c.code) > parseAmount(formatAmount(minor, c.code), c.code),
        ).toBe(true);
      }),
    );
  });
});
