import { validationError, type DomainError, type FieldError } from '../errors';
import { characterLength, validateId, validateMetadata, type Metadata } from '../payment/commands';
import { DECIMAL_SCALE, isFieldError, parseQuantity, type ScaledDecimal } from './decimal-quantity';
import { parseInstantMs } from './instant';
import { validateMeterName, type Aggregation } from './plan';

/** One usage record as a client sends it (POST /usage). */
export interface UsageRecordInput {
  recordId: string;
  organizationId: string;
  meter: string;
  quantity: string;
  occurredAt: string;
  resourceId?: string | null;
  properties?: Metadata;
}

/** A usage record whose shape was checked: quantity scaled (x 10^12), occurredAt in epoch ms. */
export interface ParsedUsageRecord {
  recordId: string;
  organizationId: string;
  meter: string;
  quantity: ScaledDecimal;
  occurredAtMs: number;
  resourceId: string | null;
  properties: Metadata;
}

/** Records per batch (POST /usage takes 1 to 1,000). */
export const MAX_USAGE_BATCH = 1000;
export const RECORD_ID_MAX_LENGTH = 200;
export const RESOURCE_ID_MAX_LENGTH = 200;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function validateBoundedId(value: unknown, path: string, max: number): FieldError[] {
  const errors = validateId(value, path);
  if (errors.length === 0 && characterLength(value as string) > max)
    return [{ path, message: `must be at most ${max} characters` }];
  return errors;
}

/**
 * Checks what a usage record must be whatever the organization's plan (ids, meter name,
 * quantity, occurredAt, resourceId, properties) and answers it parsed, or its field errors at
 * `path` ('/records/3/quantity').
 */
export function parseUsageRecord(value: unknown, path: string): ParsedUsageRecord | FieldError[] {
  if (!isObject(value)) return [{ path, message: 'must be a usage record object' }];
  const errors: FieldError[] = [
    ...validateBoundedId(value.recordId, `${path}/recordId`, RECORD_ID_MAX_LENGTH),
    ...validateId(value.organizationId, `${path}/organizationId`),
    ...validateMeterName(value.meter, `${path}/meter`),
  ];
  const quantity = parseQuantity(value.quantity, `${path}/quantity`);
  if (isFieldError(quantity)) errors.push(quantity);
  const occurredAtMs = parseInstantMs(value.occurredAt);
  if (occurredAtMs === undefined) {
    errors.push({
      path: `${path}/occurredAt`,
      message: 'must be an RFC 3339 date-time with a time zone, such as "2025-03-01T10:00:00Z"',
    });
  }
  const resourceId = value.resourceId ?? null;
  if (resourceId !== null) errors.push(...validateBoundedId(resourceId, `${path}/resourceId`, RESOURCE_ID_MAX_LENGTH));
  errors.push(...validateMetadata(value.properties, `${path}/properties`));
  if (errors.length > 0 || isFieldError(quantity) || occurredAtMs === undefined) return errors;
  return {
    recordId: value.recordId as string,
    organizationId: value.organizationId as string,
    meter: value.meter as string,
    quantity,
    occurredAtMs,
    resourceId: resourceId as string | null,
    properties: { ...(value.properties as Metadata | undefined) },
  };
}

/**
 * Checks a whole batch's shape: 1 to 1,000 records, each well formed. Answers them parsed, or one
 * VALIDATION DomainError naming every bad record by its index ('/records/7/meter'). The edge can
 * run it on a batch that spans organizations before splitting it; the plan's own rules (the meter
 * exists, occurredAt falls where it can be billed) are decided per organization.
 */
export function parseUsageBatch(records: unknown): ParsedUsageRecord[] | DomainError {
  if (!Array.isArray(records) || records.length === 0 || records.length > MAX_USAGE_BATCH) {
    return validationError([{ path: '/records', message: `must be a list of 1 to ${MAX_USAGE_BATCH} usage records` }]);
  }
  const parsed: ParsedUsageRecord[] = [];
  const errors: FieldError[] = [];
  records.forEach((record: unknown, i) => {
    const result = parseUsageRecord(record, `/records/${i}`);
    if (Array.isArray(result)) errors.push(...result);
    else parsed.push(result);
  });
  return errors.length > 0 ? validationError(errors) : parsed;
}

/**
 * What the records of one meter add up to, kept for every aggregation at once so the plan can
 * pick: how many, their sum and their largest quantity (scaled). O(1) per meter however many records.
 */
export interface UsageAggregate {
  count: number;
  sum: ScaledDecimal;
  max: ScaledDecimal;
}

/** Usage per meter name. A Map, so a meter named like an Object.prototype key is just a key. */
export type UsageByMeter = ReadonlyMap<string, UsageAggregate>;

export const NO_USAGE: UsageByMeter = new Map();

/** The aggregate with one more record of `quantity`. */
export function addToAggregate(aggregate: UsageAggregate | undefined, quantity: ScaledDecimal): UsageAggregate {
  if (aggregate === undefined) return { count: 1, sum: quantity, max: quantity };
  return {
    count: aggregate.count + 1,
    sum: aggregate.sum + quantity,
    max: quantity > aggregate.max ? quantity : aggregate.max,
  };
}

/** The usage with one more record of `quantity` on `meter` (a new map: states are never mutated). */
export function addUsage(usage: UsageByMeter, meter: string, quantity: ScaledDecimal): UsageByMeter {
  const next = new Map(usage);
  next.set(meter, addToAggregate(usage.get(meter), quantity));
  return next;
}

/** The quantity billed for an aggregate under an aggregation, scaled (a count of 3 is 3 x 10^12). */
export function aggregatedQuantity(aggregate: UsageAggregate, aggregation: Aggregation): ScaledDecimal {
  switch (aggregation) {
    case 'sum':
      return aggregate.sum;
    case 'count':
      return BigInt(aggregate.count) * DECIMAL_SCALE;
    case 'max':
      return aggregate.max;
    default: {
      const _exhaustive: never = aggregation;
      void _exhaustive;
      return aggregate.sum;
    }
  }
}
