import { DomainError, pointerSegment, validationError, type FieldError } from '../errors';
import { findCurrency, formatAmount, MAX_AMOUNT_MAJOR_UNITS, tryParseAmount } from '../money';
import { formatScaledDecimal, isFieldError, parseScaledDecimal } from './decimal-quantity';
import { validateBoundedDuration } from './duration';

/** How a meter's records of one cycle make the quantity billed: their sum, their number, or the largest. */
export type Aggregation = 'sum' | 'count' | 'max';

export const AGGREGATIONS: readonly Aggregation[] = Object.freeze(['sum', 'count', 'max'] as const);

/** The price of one meter: per unit of the aggregated quantity, in the plan's currency (up to 12 decimals). */
export interface MeterPrice {
  unitPrice: string;
  aggregation: Aggregation;
}

/**
 * An organization's billing plan, canonical: currency code, cycle and dunning waits as canonical
 * ISO 8601 durations, base fee as a canonical amount (or null), unit prices with at least the
 * currency's decimals, meters in name order. Stored in events, so plain JSON.
 */
export interface BillingPlan {
  currency: string;
  cycle: string;
  baseFee: string | null;
  meters: Record<string, MeterPrice>;
  dunning: string[];
}

/** A plan as a client sends it (PUT /organizations/{id}/billing-plan). */
export interface BillingPlanInput {
  currency: string;
  cycle: string;
  baseFee?: string | null;
  meters: Record<string, { unitPrice: string; aggregation: Aggregation }>;
  dunning?: string[];
}

/** The waits between payment attempts when a plan names none: 1, then 3, then 7 days. */
export const DEFAULT_DUNNING_WAITS: readonly string[] = Object.freeze(['P1D', 'P3D', 'P7D']);

export const MAX_METERS = 100;
export const MAX_DUNNING_WAITS = 10;

/** A meter name: a letter, then up to 63 letters, digits, '_', '.', ':' or '-' ('cpu_seconds', 'egress.gb'). */
export const METER_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;

const has = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/** The price of a meter in a plan, or undefined (an own property only: 'constructor' is not a meter). */
export function meterPrice(plan: BillingPlan, meter: string): MeterPrice | undefined {
  return has(plan.meters, meter) ? plan.meters[meter] : undefined;
}

/** Errors for a meter name at `path` (a usage record's meter, a plan's meter key). */
export function validateMeterName(value: unknown, path: string): FieldError[] {
  return typeof value === 'string' && METER_NAME_PATTERN.test(value)
    ? []
    : [{ path, message: 'must be a meter name: a letter, then up to 63 letters, digits, "_", ".", ":" or "-"' }];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function validateMeters(
  value: unknown,
  currency: string,
  exponent: number,
  errors: FieldError[],
): Record<string, MeterPrice> {
  const meters: Record<string, MeterPrice> = {};
  if (!isObject(value)) {
    errors.push({ path: '/meters', message: 'must be an object of meter name -> { unitPrice, aggregation }' });
    return meters;
  }
  const names = Object.keys(value).sort();
  if (names.length > MAX_METERS) errors.push({ path: '/meters', message: `must have at most ${MAX_METERS} meters` });
  for (const name of names) {
    const at = `/meters/${pointerSegment(name)}`;
    const nameErrors = validateMeterName(name, at);
    errors.push(...nameErrors);
    const entry = value[name];
    if (!isObject(entry)) {
      errors.push({ path: at, message: 'must be an object { unitPrice, aggregation }' });
      continue;
    }
    const unitPrice = parseScaledDecimal(entry.unitPrice, `${at}/unitPrice`, MAX_AMOUNT_MAJOR_UNITS, 'unitPrice');
    if (isFieldError(unitPrice)) errors.push(unitPrice);
    const aggregation = entry.aggregation;
    if (!(AGGREGATIONS as readonly unknown[]).includes(aggregation)) {
      errors.push({ path: `${at}/aggregation`, message: `must be one of ${AGGREGATIONS.join(', ')}` });
    }
    if (nameErrors.length === 0 && !isFieldError(unitPrice) && findCurrency(currency) !== undefined) {
      meters[name] = { unitPrice: formatScaledDecimal(unitPrice, exponent), aggregation: aggregation as Aggregation };
    }
  }
  return meters;
}

function validateDunning(value: unknown, errors: FieldError[]): string[] {
  if (value === undefined || value === null) return [...DEFAULT_DUNNING_WAITS];
  if (!Array.isArray(value)) {
    errors.push({ path: '/dunning', message: 'must be a list of ISO 8601 durations such as ["P1D","P3D","P7D"]' });
    return [];
  }
  if (value.length > MAX_DUNNING_WAITS)
    errors.push({ path: '/dunning', message: `must have at most ${MAX_DUNNING_WAITS} waits` });
  const waits: string[] = [];
  value.forEach((wait: unknown, i) => {
    const parsed = validateBoundedDuration(wait, `/dunning/${i}`);
    if (isFieldError(parsed)) errors.push(parsed);
    else waits.push(parsed.canonical);
  });
  return waits;
}

/**
 * Validates a plan and answers its canonical form, or a VALIDATION DomainError naming every bad
 * field (paths into the plan: '/currency', '/cycle', '/meters/cpu/unitPrice', '/dunning/1'). The
 * base fee, when given, is a positive amount in the currency; unit prices may be 0 (a free meter)
 * and carry up to 12 decimals; dunning defaults to P1D, P3D, P7D (an empty list: no retry at all).
 */
export function validatePlan(input: unknown): BillingPlan | DomainError {
  if (!isObject(input)) return validationError([{ path: '', message: 'a plan must be an object' }]);
  const errors: FieldError[] = [];
  const currency = input.currency;
  const info = typeof currency === 'string' ? findCurrency(currency) : undefined;
  if (info === undefined)
    errors.push({
      path: '/currency',
      message: 'must be a supported ISO 4217 currency code in upper case, such as "EUR"',
    });
  const cycle = validateBoundedDuration(input.cycle, '/cycle');
  if (isFieldError(cycle)) errors.push(cycle);
  let baseFee: string | null = null;
  if (input.baseFee !== undefined && input.baseFee !== null && info !== undefined) {
    const minor = tryParseAmount(input.baseFee as string, info.code, '/baseFee');
    if (minor instanceof DomainError) errors.push(...minor.errors);
    else baseFee = formatAmount(minor, info.code);
  }
  const meters = validateMeters(input.meters, info?.code ?? '', info?.exponent ?? 0, errors);
  const dunning = validateDunning(input.dunning, errors);
  if (errors.length > 0 || info === undefined || isFieldError(cycle)) return validationError(errors);
  return { currency: info.code, cycle: cycle.canonical, baseFee, meters, dunning };
}

/** True when two canonical plans bill the same way (a PUT of the plan in force changes nothing). */
export function samePlan(a: BillingPlan, b: BillingPlan): boolean {
  if (a.currency !== b.currency || a.cycle !== b.cycle || a.baseFee !== b.baseFee) return false;
  if (a.dunning.length !== b.dunning.length || a.dunning.some((w, i) => w !== b.dunning[i])) return false;
  const names = Object.keys(a.meters);
  if (names.length !== Object.keys(b.meters).length) return false;
  return names.every((name) => {
    const other = meterPrice(b, name);
    const mine = meterPrice(a, name);
    return (
      other !== undefined &&
      mine !== undefined &&
      other.unitPrice === mine.unitPrice &&
      other.aggregation === mine.aggregation
    );
  });
}
