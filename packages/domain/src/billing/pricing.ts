import { divideRoundHalfEven, findCurrency, formatStoredAmount, storedAmountToMinor } from '../money';
import { DECIMAL_SCALE, formatScaledDecimal, storedScaledDecimal, type ScaledDecimal } from './decimal-quantity';
import { meterPrice, type BillingPlan, type MeterPrice } from './plan';
import { aggregatedQuantity, type UsageAggregate, type UsageByMeter } from './usage';

/**
 * One line of an invoice. Usage lines name their meter; the base fee line has none (quantity 1,
 * unit price = the fee). `late` marks usage that belongs to an earlier, already closed cycle.
 * Strings are canonical decimals: quantity and unit price with up to 12 decimals, amount in the
 * currency's minor unit.
 */
export interface InvoiceLine {
  kind: 'base_fee' | 'usage';
  meter: string | null;
  quantity: string;
  unitPrice: string;
  amount: string;
  late: boolean;
}

/** The lines of an invoice and their total, in minor units and as a canonical amount. */
export interface PricedUsage {
  lines: InvoiceLine[];
  totalMinor: bigint;
}

// A scaled quantity times a scaled unit price carries 10^12 x 10^12.
const PRODUCT_SCALE = DECIMAL_SCALE * DECIMAL_SCALE;

/**
 * quantity x unitPrice in the currency's minor units (both scaled by 10^12), rounded half-even:
 * exact integer arithmetic from the decimal digits to the cent, never a binary fraction.
 */
export function lineAmountMinor(quantity: ScaledDecimal, unitPrice: ScaledDecimal, exponent: number): bigint {
  return divideRoundHalfEven(quantity * unitPrice * 10n ** BigInt(exponent), PRODUCT_SCALE);
}

// A meter the plan does not price cannot reach a line (decide refuses its records and any plan that
// drops a meter with usage waiting); should a stored fact say otherwise, it is shown at price 0.
const UNPRICED: MeterPrice = { unitPrice: '0', aggregation: 'sum' };

function usageLine(
  plan: BillingPlan,
  exponent: number,
  meter: string,
  aggregate: UsageAggregate,
  late: boolean,
): InvoiceLine {
  const price = meterPrice(plan, meter) ?? UNPRICED;
  const quantity = aggregatedQuantity(aggregate, price.aggregation);
  const amount = lineAmountMinor(quantity, storedScaledDecimal(price.unitPrice), exponent);
  return {
    kind: 'usage',
    meter,
    quantity: formatScaledDecimal(quantity),
    unitPrice: price.unitPrice,
    amount: formatStoredAmount(amount, plan.currency),
    late,
  };
}

const byName = (usage: UsageByMeter): [string, UsageAggregate][] =>
  [...usage.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * Prices a closing cycle under the plan in force: the base fee line (if the plan has a fee), one
 * line per meter with usage in the cycle, then one late line per meter with late usage, in meter
 * name order. Late usage is aggregated like the meter's other usage (for a max meter: the largest
 * late record). The total is the sum of the lines' amounts. No lines means nothing to invoice.
 */
export function priceUsage(plan: BillingPlan, usage: UsageByMeter, late: UsageByMeter): PricedUsage {
  const exponent = findCurrency(plan.currency)?.exponent ?? 2;
  const lines: InvoiceLine[] = [];
  if (plan.baseFee !== null) {
    lines.push({
      kind: 'base_fee',
      meter: null,
      quantity: '1',
      unitPrice: plan.baseFee,
      amount: plan.baseFee,
      late: false,
    });
  }
  for (const [meter, aggregate] of byName(usage)) lines.push(usageLine(plan, exponent, meter, aggregate, false));
  for (const [meter, aggregate] of byName(late)) lines.push(usageLine(plan, exponent, meter, aggregate, true));
  return { lines, totalMinor: sumOfLines(lines, plan.currency) };
}

/** The sum of the lines' amounts in minor units (the invoice total, by definition). */
export function sumOfLines(lines: readonly InvoiceLine[], currency: string): bigint {
  return lines.reduce((total, line) => total + storedAmountToMinor(line.amount, currency), 0n);
}

/**
 * What the cycle's usage so far would cost if it closed now, per meter (for the organization's
 * view): the aggregated quantity and its amount, on-time and late usage together.
 */
export function unbilledUsage(
  plan: BillingPlan,
  usage: UsageByMeter,
  late: UsageByMeter,
): Record<string, { quantity: string; amount: string }> {
  const totals = new Map<string, { quantity: ScaledDecimal; amount: bigint }>();
  for (const line of priceUsage({ ...plan, baseFee: null }, usage, late).lines) {
    const meter = line.meter ?? '';
    const previous = totals.get(meter) ?? { quantity: 0n, amount: 0n };
    totals.set(meter, {
      quantity: previous.quantity + storedScaledDecimal(line.quantity),
      amount: previous.amount + storedAmountToMinor(line.amount, plan.currency),
    });
  }
  // Meter names start with a letter, so none is '__proto__': a plain object is safe here.
  return Object.fromEntries(
    [...totals].map(([meter, t]) => [
      meter,
      { quantity: formatScaledDecimal(t.quantity), amount: formatStoredAmount(t.amount, plan.currency) },
    ]),
  );
}
