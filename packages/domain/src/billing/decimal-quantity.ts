import type { FieldError } from '../errors';
import { AMOUNT_PATTERN } from '../money';

/*
 * Usage quantities and unit prices are decimals with up to 12 decimals ("0.000012" EUR per
 * CPU-second). They are held exactly as scaled integers: the value times 10^12, in a bigint. No
 * floating point anywhere: the digits of the string go straight into the bigint.
 */

/** Decimals a quantity or unit price may carry, and the factor of the scaled form. */
export const DECIMAL_PLACES = 12;
export const DECIMAL_SCALE = 10n ** BigInt(DECIMAL_PLACES);

/** A quantity must be below 10^15 (a whole batch of them still fits a line comfortably). */
export const MAX_QUANTITY = 10n ** 15n;

/** A non-negative decimal times 10^12: '1.5' is 1_500_000_000_000n. */
export type ScaledDecimal = bigint;

/**
 * Reads a non-negative plain decimal string ('0', '12', '0.000012'; no sign, exponent or
 * separators) with at most 12 decimals and below `limit` (in whole units) into its scaled form;
 * answers the field error at `path` otherwise.
 */
export function parseScaledDecimal(
  value: unknown,
  path: string,
  limit: bigint,
  what = 'value',
): ScaledDecimal | FieldError {
  if (typeof value !== 'string' || !AMOUNT_PATTERN.test(value)) {
    return {
      path,
      message: `${what} must be a non-negative plain decimal string such as "1.5": digits, optionally a dot and more digits`,
    };
  }
  const [whole = '', fraction = ''] = value.split('.');
  if (fraction.length > DECIMAL_PLACES) return { path, message: `${what} takes at most ${DECIMAL_PLACES} decimals` };
  const scaled = BigInt(whole) * DECIMAL_SCALE + BigInt(fraction.padEnd(DECIMAL_PLACES, '0') || '0');
  if (scaled >= limit * DECIMAL_SCALE) return { path, message: `${what} must be less than ${limit}` };
  return scaled;
}

/** Reads a usage quantity: a non-negative decimal string with up to 12 decimals, below 10^15. */
export function parseQuantity(value: unknown, path: string): ScaledDecimal | FieldError {
  return parseScaledDecimal(value, path, MAX_QUANTITY, 'quantity');
}

/**
 * The canonical string of a scaled decimal: no leading zeros, no trailing decimal zeros
 * ('1.5', '0', '3', '0.000012'), or at least `minDecimals` decimals when asked (a unit price
 * shows its currency's decimals: '2.00').
 */
export function formatScaledDecimal(value: ScaledDecimal, minDecimals = 0): string {
  const sign = value < 0n ? '-' : '';
  const digits = (value < 0n ? -value : value).toString().padStart(DECIMAL_PLACES + 1, '0');
  const whole = digits.slice(0, -DECIMAL_PLACES);
  let fraction = digits.slice(-DECIMAL_PLACES).replace(/0+$/, '');
  if (fraction.length < minDecimals) fraction = fraction.padEnd(minDecimals, '0');
  return fraction === '' ? `${sign}${whole}` : `${sign}${whole}.${fraction}`;
}

/**
 * Reads a scaled decimal from a stored event without ever throwing (events are facts and must
 * fold): decimals past the 12th are cut and an unreadable string counts as 0.
 */
export function storedScaledDecimal(value: string): ScaledDecimal {
  if (typeof value !== 'string' || !AMOUNT_PATTERN.test(value)) return 0n;
  const [whole = '', fraction = ''] = value.split('.');
  return BigInt(whole) * DECIMAL_SCALE + BigInt(fraction.slice(0, DECIMAL_PLACES).padEnd(DECIMAL_PLACES, '0') || '0');
}

/** True when a parse answered a field error rather than a value. */
export const isFieldError = (value: unknown): value is FieldError =>
  typeof value === 'object' && value !== null && 'path' in value && 'message' in value;
