import { Type, type Static } from '@sinclair/typebox';
import { Amount, CurrencyCode, Metadata, OrganizationId, Position, Uuid } from './common.schema';
import { Instant } from './instant.schema';
import { SafeString } from './safe-string.schema';

/** A meter name: a letter, then up to 63 letters, digits, '_', '.', ':' or '-' ('cpu_seconds', 'egress.gb'). */
export const MeterName = Type.String({
  pattern: '^[A-Za-z][A-Za-z0-9_.:-]{0,63}$',
  description: 'A meter name: a letter, then up to 63 letters, digits, "_", ".", ":" or "-".',
  examples: ['cpu_seconds'],
});

/** A non-negative decimal string with up to 12 decimals: usage quantities and unit prices. */
export const DecimalQuantity = Type.String({
  pattern: '^\\d{1,15}(\\.\\d{1,12})?$',
  description: 'A non-negative decimal string with up to 12 decimals, below 10^15 ("1.5", "0.000012").',
  examples: ['1.5'],
});

/** An ISO 8601 duration; the domain checks it lies between PT1S and P1Y. */
export const IsoDuration = Type.String({
  pattern: '^P(?!$)(\\d{1,9}Y)?(\\d{1,9}M)?(\\d{1,9}W)?(\\d{1,9}D)?(T(?=\\d)(\\d{1,9}H)?(\\d{1,9}M)?(\\d{1,9}S)?)?$',
  description: 'An ISO 8601 duration ("P1M", "P7D", "PT1H"), from PT1S to P1Y.',
  examples: ['P1M'],
});

export const Aggregation = Type.Union([Type.Literal('sum'), Type.Literal('count'), Type.Literal('max')], {
  description: "How a cycle's records of a meter make the quantity billed: their sum, their number or the largest.",
});

export const MeterPrice = Type.Object(
  {
    unitPrice: Type.String({
      pattern: '^\\d{1,15}(\\.\\d{1,12})?$',
      description: "Price per unit of the aggregated quantity, in the plan's currency, up to 12 decimals.",
      examples: ['0.000012'],
    }),
    aggregation: Aggregation,
  },
  { additionalProperties: false },
);

export const OrganizationIdParams = Type.Object({ organizationId: OrganizationId }, { additionalProperties: false });
export type OrganizationIdParams = Static<typeof OrganizationIdParams>;

export const SetBillingPlanBody = Type.Object(
  {
    currency: CurrencyCode,
    cycle: IsoDuration,
    baseFee: Type.Optional(Type.Union([Amount, Type.Null()])),
    meters: Type.Record(MeterName, MeterPrice, {
      maxProperties: 100,
      propertyNames: MeterName,
      description: 'Meter name -> price; at most 100 meters.',
    }),
    dunning: Type.Optional(
      Type.Array(IsoDuration, {
        maxItems: 10,
        description: 'Waits between payment attempts; default ["P1D","P3D","P7D"], [] for no retry.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type SetBillingPlanBody = Static<typeof SetBillingPlanBody>;

export const BillingPlanSet = Type.Object({
  commandId: Uuid,
  organizationId: OrganizationId,
  version: Type.Integer({ minimum: 1, description: "The organization billing stream's version after the command." }),
  effectiveFrom: Type.String({
    format: 'date-time',
    description: 'When the plan bills: now for the first plan, else the start of the next cycle.',
  }),
  position: Position,
});
export type BillingPlanSet = Static<typeof BillingPlanSet>;

/** Records a usage batch takes (POST /usage). */
export const MAX_USAGE_RECORDS = 1000;

export const UsageRecord = Type.Object(
  {
    recordId: SafeString({
      minLength: 1,
      maxLength: 200,
      description: "The client's id: a record whose id the organization already had accepted is a duplicate.",
    }),
    organizationId: OrganizationId,
    meter: MeterName,
    quantity: DecimalQuantity,
    occurredAt: Instant({ description: 'When the usage happened: the cycle containing it bills it.' }),
    resourceId: Type.Optional(Type.Union([SafeString({ minLength: 1, maxLength: 200 }), Type.Null()])),
    properties: Type.Optional(Metadata),
  },
  { additionalProperties: false },
);

export const RecordUsageBody = Type.Object(
  {
    records: Type.Array(UsageRecord, {
      minItems: 1,
      maxItems: MAX_USAGE_RECORDS,
      description: "One organization's records, 1 to 1,000; validated as a whole.",
    }),
  },
  { additionalProperties: false },
);
export type RecordUsageBody = Static<typeof RecordUsageBody>;

export const UsageRecorded = Type.Object({
  commandId: Uuid,
  organizationId: OrganizationId,
  accepted: Type.Integer({ minimum: 0, description: 'Records stored now.' }),
  duplicates: Type.Integer({
    minimum: 0,
    description: 'Records already accepted before (or repeated in the batch): counted, never billed twice.',
  }),
  version: Type.Integer({ minimum: 0, description: "The organization billing stream's version after the batch." }),
  position: Position,
});
export type UsageRecorded = Static<typeof UsageRecorded>;

/** Billing commands take an Idempotency-Key (scoped to the command's organization), as payment commands do. */
export const BillingCommandHeaders = Type.Object({
  'idempotency-key': Type.Optional(SafeString({ minLength: 1, maxLength: 200 })),
});

export const BillingCycleCloseAccepted = Type.Object({
  commandId: Uuid,
  organizationId: OrganizationId,
  cycleSequence: Type.Integer({ minimum: 1, description: 'The cycle closed (1 for the first).' }),
  /** The invoice the close issued; absent for an empty cycle without base fee (no invoice). */
  invoiceId: Type.Optional(Uuid),
  version: Type.Integer({ minimum: 0, description: "The organization billing stream's version after the close." }),
  position: Position,
});
export type BillingCycleCloseAccepted = Static<typeof BillingCycleCloseAccepted>;
