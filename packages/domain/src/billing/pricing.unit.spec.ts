import { divideRoundHalfEven } from '../money';
import { DomainError } from '../errors';
import { parseQuantity, type ScaledDecimal } from './decimal-quantity';
import { validatePlan, type BillingPlan } from './plan';
import { lineAmountMinor, priceUsage, sumOfLines, unbilledUsage } from './pricing';
import { addUsage, NO_USAGE, type UsageByMeter } from './usage';
import { planInput } from './test-support/fixtures';

const q = (text: string): ScaledDecimal => {
  const parsed = parseQuantity(text, '/q');
  if (typeof parsed !== 'bigint') throw new Error(parsed.message);
  return parsed;
};
const plan = (over: Parameters<typeof planInput>[0] = {}): BillingPlan => {
  const result = validatePlan(planInput(over));
  if (result instanceof DomainError) throw new Error(result.message);
  return result;
};
const usage = (...entries: Array<[string, string]>): UsageByMeter =>
  entries.reduce((u, [meter, quantity]) => addUsage(u, meter, q(quantity)), NO_USAGE);

describe('half-even rounding', () => {
  it.each([
    [5n, 10n, 0n],
    [15n, 10n, 2n],
    [25n, 10n, 2n],
    [35n, 10n, 4n],
    [14n, 10n, 1n],
    [16n, 10n, 2n],
    [-5n, 10n, -0n],
    [-15n, 10n, -2n],
    [-25n, 10n, -2n],
    [-16n, 10n, -2n],
    [0n, 7n, 0n],
    [7n, 7n, 1n],
  ])('%d / %d -> %d', (n, d, expected) => {
    expect(divideRoundHalfEven(n, d)).toBe(expected);
  });

  it('refuses a denominator that is not positive', () => {
    expect(() => divideRoundHalfEven(1n, 0n)).toThrow(RangeError);
  });
});

describe('line amounts: quantity x unitPrice, rounded half-even to the minor unit', () => {
  it.each([
    // Ties go to the even cent; binary floating point gets the last two wrong ((2.675).toFixed(2) is '2.67').
    ['1', '0.125', 'EUR', 12n],
    ['1', '0.135', 'EUR', 14n],
    ['1', '0.005', 'EUR', 0n],
    ['1', '1.015', 'EUR', 102n],
    ['1', '2.675', 'EUR', 268n],
    ['3', '0.5', 'JPY', 2n],
    ['5', '0.5', 'JPY', 2n],
    ['1', '0.0125', 'BHD', 12n],
    ['1000000', '0.000012', 'EUR', 1200n],
    ['0.5', '0.000012', 'EUR', 0n],
    ['0', '5', 'EUR', 0n],
    // Beyond 2^53: exact to the last digit (checked with Python's decimal); a double says 1e29.
    ['999999999999999.999999999999', '999999999999.999999999999', 'EUR', 99999999999999999999999899900n],
    ['123456789012345.678901234567', '0.000012', 'EUR', 148148146815n],
  ])('%s x %s %s = %d minor units', (quantity, unitPrice, currency, expected) => {
    const exponent = { EUR: 2, JPY: 0, BHD: 3 }[currency] ?? 2;
    expect(lineAmountMinor(q(quantity), q(unitPrice), exponent)).toBe(expected);
  });
});

describe('pricing a cycle', () => {
  it('bills the base fee, then one line per meter with usage by its aggregation, then late lines; total = sum', () => {
    const priced = priceUsage(
      plan(),
      usage(
        ['seats', '3'],
        ['cpu_seconds', '1000000'],
        ['seats', '7'],
        ['requests', '0'],
        ['requests', '12'],
        ['cpu_seconds', '500000'],
      ),
      usage(['cpu_seconds', '250000'], ['seats', '2']),
    );
    expect(priced.lines).toEqual([
      { kind: 'base_fee', meter: null, quantity: '1', unitPrice: '10.00', amount: '10.00', late: false },
      { kind: 'usage', meter: 'cpu_seconds', quantity: '1500000', unitPrice: '0.000012', amount: '18.00', late: false },
      { kind: 'usage', meter: 'requests', quantity: '2', unitPrice: '0.0001', amount: '0.00', late: false },
      { kind: 'usage', meter: 'seats', quantity: '7', unitPrice: '5.00', amount: '35.00', late: false },
      { kind: 'usage', meter: 'cpu_seconds', quantity: '250000', unitPrice: '0.000012', amount: '3.00', late: true },
      { kind: 'usage', meter: 'seats', quantity: '2', unitPrice: '5.00', amount: '10.00', late: true },
    ]);
    expect(priced.totalMinor).toBe(7600n);
    expect(sumOfLines(priced.lines, 'EUR')).toBe(priced.totalMinor);
  });

  it('has no line at all for an empty cycle without a base fee (nothing to invoice)', () => {
    expect(priceUsage(plan({ baseFee: null }), NO_USAGE, NO_USAGE)).toEqual({ lines: [], totalMinor: 0n });
  });

  it('rounds each line on its own, then adds the rounded lines', () => {
    const priced = priceUsage(
      plan({
        baseFee: null,
        meters: { a: { unitPrice: '0.005', aggregation: 'sum' }, b: { unitPrice: '0.005', aggregation: 'sum' } },
      }),
      usage(['a', '3'], ['b', '3']),
      NO_USAGE,
    );
    // 0.015 each rounds to 0.02 (half-even); the total is 0.04, not round(0.03) = 0.03.
    expect(priced.lines.map((l) => l.amount)).toEqual(['0.02', '0.02']);
    expect(priced.totalMinor).toBe(4n);
  });

  it('shows what the open cycle would cost so far, per meter, late usage included', () => {
    expect(
      unbilledUsage(plan(), usage(['cpu_seconds', '1000000'], ['seats', '2']), usage(['cpu_seconds', '1000000'])),
    ).toEqual({
      cpu_seconds: { quantity: '2000000', amount: '24.00' },
      seats: { quantity: '2', amount: '10.00' },
    });
  });
});
