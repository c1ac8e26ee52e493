import { CURRENCY_EXPONENTS } from './currencies';
import { DomainError } from './errors';

/** A supported ISO 4217 currency and its number of minor-unit decimals (EUR 2, JPY 0, BHD 3). */
export interface CurrencyInfo {
  code: string;
  exponent: number;
}

/** Amounts must be below this many major units (10^12), whatever the currency. */
export const MAX_AMOUNT_MAJOR_UNITS = 10n ** 12n;

/** The only accepted spelling of an amount: digits, optionally a dot and more digits (ASCII only). */
export const AMOUNT_PATTERN = /^\d+(\.\d+)?$/;

// A Map, not the object itself: a plain-object lookup would "find" 'constructor' or '__proto__'.
const CURRENCIES: ReadonlyMap<string, CurrencyInfo> = new Map(
  Object.entries(CURRENCY_EXPONENTS).map(([code, exponent]) => [code, Object.freeze({ code, exponent })]),
);

/** The currency for an exact upper-case ISO 4217 code, or undefined ('eur' is not a code). */
export function findCurrency(code: string): CurrencyInfo | undefined {
  return typeof code === 'string' ? CURRENCIES.get(code) : undefined;
}

/** True for a supported ISO 4217 code. */
export function isCurrencyCode(code: string): boolean {
  return findCurrency(code) !== undefined;
}

/** Every supported currency, sorted by code. */
export function listCurrencies(): CurrencyInfo[] {
  return [...CURRENCIES.values()].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

const fail = (path: string, message: string, detail = message): DomainError =>
  new DomainError('VALIDATION', detail, [{ path, message }]);

/**
 * Parses a decimal string in the currency's major unit into integer minor units ('100.50' EUR ->
 * 10050n). Throws a VALIDATION DomainError (with the field path) when the currency is unknown, the
 * string is not a plain decimal, it has more decimals than the currency allows (trailing zeros
 * included, to keep one rule), it is zero, or it reaches 10^12 major units. No floating point: the
 * digits go straight into a bigint.
 */
export function parseAmount(amount: string, currency: string, path = '/amount'): bigint {
  const info = findCurrency(currency);
  if (info === undefined) {
    throw fail(
      '/currency',
      'must be a supported ISO 4217 currency code in upper case, such as "EUR"',
      `unknown currency ${JSON.stringify(String(currency)).slice(0, 40)}`,
    );
  }
  if (typeof amount !== 'string' || !AMOUNT_PATTERN.test(amount)) {
    throw fail(
      path,
      'must be a plain decimal string such as "100.00": digits, optionally a dot and ' +
        'more digits; no sign, exponent, spaces or separators',
      `amount is not a plain decimal string`,
    );
  }
  const [whole = '', fraction = ''] = amount.split('.');
  if (fraction.length > info.exponent) {
    const allowed =
      info.exponent === 0 ? 'no decimals' : `at most ${info.exponent} decimal${info.exponent === 1 ? '' : 's'}`;
    throw fail(
      path,
      `${info.code} amounts take ${allowed}`,
      `amount has too many decimals: ${info.code} amounts take ${allowed}`,
    );
  }
  const minor = BigInt(whole) * 10n ** BigInt(info.exponent) + BigInt(fraction.padEnd(info.exponent, '0') || '0');
  if (minor <= 0n) throw fail(path, 'must be positive', 'amount must be positive');
  if (minor >= MAX_AMOUNT_MAJOR_UNITS * 10n ** BigInt(info.exponent)) {
    throw fail(
      path,
      `must be less than ${MAX_AMOUNT_MAJOR_UNITS} ${info.code}`,
      `amount must be less than ${MAX_AMOUNT_MAJOR_UNITS} ${info.code}`,
    );
  }
  return minor;
}

/** Like parseAmount, but returns the DomainError instead of throwing (for code that must not throw). */
export function tryParseAmount(amount: string, currency: string, path = '/amount'): bigint | DomainError {
  try {
    return parseAmount(amount, currency, path);
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
}

/** Minor units -> digits with exactly `exponent` decimals ('-' first when negative). */
function formatWithExponent(minor: bigint, exponent: number): string {
  const sign = minor < 0n ? '-' : '';
  const digits = (minor < 0n ? -minor : minor).toString();
  if (exponent === 0) return sign + digits;
  const padded = digits.padStart(exponent + 1, '0');
  return `${sign}${padded.slice(0, -exponent)}.${padded.slice(-exponent)}`;
}

/**
 * The canonical string of an amount in minor units: exactly `exponent` decimals, no leading zeros
 * ('100.00' EUR, '1500' JPY, '0.005' BHD). Throws a VALIDATION DomainError for an unknown currency.
 */
export function formatAmount(minor: bigint, currency: string): string {
  const info = findCurrency(currency);
  if (info === undefined)
    throw fail(
      '/currency',
      'must be a supported ISO 4217 currency code',
      `unknown currency ${String(currency).slice(0, 40)}`,
    );
  return formatWithExponent(minor, info.exponent);
}

// Stored events are facts and must always fold, even if (against the rule in currencies.ts) their
// currency has left the table; 2 is the exponent of most currencies, so it is the least-bad guess.
const storedExponent = (currency: string): number => findCurrency(currency)?.exponent ?? 2;

/**
 * Reads an amount from a stored event without ever throwing: for folding and projections, where
 * the event already happened. Extra decimals are cut, and an unreadable string counts as 0.
 */
export function storedAmountToMinor(amount: string, currency: string): bigint {
  if (typeof amount !== 'string' || !AMOUNT_PATTERN.test(amount)) return 0n;
  const exponent = storedExponent(currency);
  const [whole = '', fraction = ''] = amount.split('.');
  return BigInt(whole) * 10n ** BigInt(exponent) + BigInt(fraction.slice(0, exponent).padEnd(exponent, '0') || '0');
}

/** Formats minor units for a read model without ever throwing (see storedAmountToMinor). */
export function formatStoredAmount(minor: bigint, currency: string): string {
  return formatWithExponent(minor, storedExponent(currency));
}

/**
 * numerator / denominator rounded to the nearest integer, ties to the even neighbour (banker's
 * rounding, IEEE 754's default): 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -2.5 -> -2. Exact bigint arithmetic,
 * so a billing line never depends on binary fractions. Throws a RangeError when denominator <= 0
 * (a programming error: every caller divides by a power of ten).
 */
export function divideRoundHalfEven(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('divideRoundHalfEven needs a positive denominator');
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const quotient = magnitude / denominator;
  const twiceRemainder = (magnitude % denominator) * 2n;
  const roundUp = twiceRemainder > denominator || (twiceRemainder === denominator && quotient % 2n === 1n);
  const rounded = roundUp ? quotient + 1n : quotient;
  return negative ? -rounded : rounded;
}
