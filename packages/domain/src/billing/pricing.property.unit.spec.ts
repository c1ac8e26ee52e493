import fc from 'fast-check';
import { formatAmount, listCurrencies, storedAmountToMinor } from '../money';
import { DECIMAL_SCALE, MAX_QUANTITY } from './decimal-quantity';
import { AGGREGATIONS, validatePlan, type BillingPlan } from './plan';
import { lineAmountMinor, priceUsage } from './pricing';
import { addUsage, NO_USAGE, type UsageByMeter } from './usage';
import { isDomainError } from '../errors';

const PRODUCT_SCALE = DECIMAL_SCALE * DECIMAL_SCALE;
/** Quantities up to 10^15 and unit prices up to 10^12, both with 12 decimals: far past 2^53. */
const quantity = fc.bigInt({ min: 0n, max: MAX_QUANTITY * DECIMAL_SCALE - 1n });
const unitPrice = fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 24n - 1n }), fc.bigInt({ min: 0n, max: 10n ** 14n }));
/** Ties on purpose: a price of k + 1/2 minor units for one unit, so rounding has to choose. */
const tie = fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 9n }), fc.constantFrom(0, 2, 3)).map(([k, exponent]) => ({
  quantity: DECIMAL_SCALE,
  unitPrice: ((2n * k + 1n) * DECIMAL_SCALE) / (2n * 10n ** BigInt(exponent)),
  exponent,
}));
const exponent = fc.constantFrom(0, 2, 3, 4);

/** The definition of half-even rounding to the minor unit, checked on a result. */
function isHalfEvenRounding(amount: bigint, q: bigint, p: bigint, e: number): boolean {
  const exact = q * p * 10n ** BigInt(e);
  const twiceError = 2n * (amount * PRODUCT_SCALE - exact);
  const distance = twiceError < 0n ? -twiceError : twiceError;
  if (distance > PRODUCT_SCALE) return false;
  return distance < PRODUCT_SCALE || amount % 2n === 0n;
}

/** What a floating-point implementation would compute: the property below must tell it apart. */
const floatAmount = (q: bigint, p: bigint, e: number): bigint =>
  BigInt(Math.round((Number(q) / 1e12) * (Number(p) / 1e12) * 10 ** e));

describe('line rounding laws', () => {
  it('round quantity x unitPrice half-even to the minor unit, exactly, for any size', () => {
    fc.assert(
      fc.property(quantity, unitPrice, exponent, (q, p, e) => isHalfEvenRounding(lineAmountMinor(q, p, e), q, p, e)),
      { numRuns: 3000, seed: 42 },
    );
    fc.assert(
      fc.property(tie, ({ quantity: q, unitPrice: p, exponent: e }) =>
        isHalfEvenRounding(lineAmountMinor(q, p, e), q, p, e),
      ),
      { numRuns: 1000, seed: 42 },
    );
  });

  it('would catch a floating-point implementation (so the law above means something)', () => {
    expect(
      fc.check(
        fc.property(quantity, unitPrice, exponent, (q, p, e) => isHalfEvenRounding(floatAmount(q, p, e), q, p, e)),
        { numRuns: 3000, seed: 42 },
      ).failed,
    ).toBe(true);
    expect(
      fc.check(
        fc.property(tie, ({ quantity: q, unitPrice: p, exponent: e }) =>
          isHalfEvenRounding(floatAmount(q, p, e), q, p, e),
        ),
        { numRuns: 1000, seed: 42 },
      ).failed,
    ).toBe(true);
  });
});

const currency = fc.constantFrom(...listCurrencies().map((c) => c.code));
const meterNames = ['cpu', 'egress', 'seats', 'requests'];
const plan: fc.Arbitrary<BillingPlan> = fc
  .record({
    currency,
    baseFee: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: null }),
    prices: fc.array(fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 16n }), fc.constantFrom(...AGGREGATIONS)), {
      minLength: 4,
      maxLength: 4,
    }),
  })
  .map(({ currency: code, baseFee, prices }) => {
    const meters = Object.fromEntries(
      prices.map(([price, aggregation], i) => [
        meterNames[i],
        { unitPrice: `${price / DECIMAL_SCALE}.${String(price % DECIMAL_SCALE).padStart(12, '0')}`, aggregation },
      ]),
    );
    const result = validatePlan({
      currency: code,
      cycle: 'P1M',
      baseFee: baseFee === null ? null : String(baseFee),
      meters,
    });
    if (isDomainError(result)) throw new Error(result.message);
    return result;
  });
const usage: fc.Arbitrary<UsageByMeter> = fc
  .array(fc.tuple(fc.constantFrom(...meterNames), fc.bigInt({ min: 0n, max: 10n ** 20n })), { maxLength: 12 })
  .map((records) => records.reduce((u, [meter, q]) => addUsage(u, meter, q), NO_USAGE));

describe('invoice laws', () => {
  it('the total is the sum of the lines: one base fee line if any, one line per meter with usage, late lines apart', () => {
    fc.assert(
      fc.property(plan, usage, usage, (p, current, late) => {
        const priced = priceUsage(p, current, late);
        const sum = priced.lines.reduce((t, line) => t + storedAmountToMinor(line.amount, p.currency), 0n);
        expect(priced.totalMinor).toBe(sum);
        expect(priced.lines.length).toBe((p.baseFee === null ? 0 : 1) + current.size + late.size);
        expect(priced.lines.filter((l) => l.late).length).toBe(late.size);
        // Every amount is canonical in the currency: formatting its value gives it back.
        for (const line of priced.lines)
          expect(formatAmount(storedAmountToMinor(line.amount, p.currency), p.currency)).toBe(line.amount);
      }),
      { numRuns: 500, seed: 7 },
    );
  });
});
