import { formatStoredAmount } from '@gyroscops/domain';

export interface CurrencyFigures {
  count: number;
  totalAmount: string;
  averageAmount: string;
  byStatus: Record<string, { count: number; amount: string }>;
}

/** One group of payments: pg returns count and sum of int8 as strings. */
export interface StatusGroupRow {
  currency: string;
  status: string;
  count: string;
  amountMinor: string;
}

/** Rounds half up: the average of 1.00 and 2.00 is 1.50, of 0.01 and 0.02 is 0.02. */
const averageOf = (total: bigint, count: bigint) => (count === 0n ? 0n : (2n * total + count) / (2n * count));

/**
 * Per-currency figures from per-(currency, status) groups: sums stay in integer minor units (bigint)
 * and become decimal strings in each currency's own exponent only at the end.
 */
export function figuresByCurrency(rows: readonly StatusGroupRow[]): Record<string, CurrencyFigures> {
  const totals = new Map<string, { count: bigint; amount: bigint; byStatus: CurrencyFigures['byStatus'] }>();
  for (const row of rows) {
    const count = BigInt(row.count);
    const amount = BigInt(row.amountMinor);
    if (count === 0n) continue;
    const entry = totals.get(row.currency) ?? { count: 0n, amount: 0n, byStatus: {} };
    entry.count += count;
    entry.amount += amount;
    entry.byStatus[row.status] = { count: Number(count), amount: formatStoredAmount(amount, row.currency) };
    totals.set(row.currency, entry);
  }
  return Object.fromEntries(
    [...totals].map(([currency, entry]) => [
      currency,
      {
        count: Number(entry.count),
        totalAmount: formatStoredAmount(entry.amount, currency),
        averageAmount: formatStoredAmount(averageOf(entry.amount, entry.count), currency),
        byStatus: entry.byStatus,
      },
    ]),
  );
}
