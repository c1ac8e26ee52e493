import { Type, type Static } from '@sinclair/typebox';
import { Aggregation, MeterName } from './billing-commands.schema';
import { Instant } from './instant.schema';

/**
 * How much one analytics request may read: at most this many buckets, over at most this many days
 * (the hourly read models hold one row per hour and series: a range bounds the rows a request scans).
 */
export const ANALYTICS_MAX_BUCKETS = 1000;
export const HOURLY_ANALYTICS_MAX_DAYS = 400;

/** The bucket lengths of the billing analytics, in UTC. */
export const BillingBucketInterval = Type.Union([Type.Literal('hour'), Type.Literal('day'), Type.Literal('month')], {
  default: 'day',
  description: 'Bucket length, in UTC.',
});

const RANGE_RULES = `\`from\` must be before \`to\`; at most ${ANALYTICS_MAX_BUCKETS} buckets and ${HOURLY_ANALYTICS_MAX_DAYS} days.`;

export const UsageSeriesQuery = Type.Object(
  {
    from: Instant({ description: `Usage that occurred at or after (inclusive), counted by the hour. ${RANGE_RULES}` }),
    to: Instant({ description: 'Usage that occurred before (exclusive), counted by the hour.' }),
    interval: Type.Optional(BillingBucketInterval),
    meter: Type.Optional(MeterName),
  },
  { additionalProperties: false },
);
export type UsageSeriesQuery = Static<typeof UsageSeriesQuery>;

/** An aggregated quantity: a non-negative decimal string with up to 12 decimals. */
export const AggregatedQuantity = Type.String({
  pattern: '^\\d+(\\.\\d{1,12})?$',
  description: 'A non-negative decimal string with up to 12 decimals, exact.',
  examples: ['1.5'],
});

export const UsageSeries = Type.Object({
  organizationId: Type.String(),
  interval: Type.String(),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  series: Type.Array(
    Type.Object({
      meter: Type.String(),
      aggregation: Aggregation,
      buckets: Type.Array(
        Type.Object({
          start: Type.String({ format: 'date-time', description: "The bucket's UTC start." }),
          quantity: AggregatedQuantity,
        }),
        { description: 'Buckets with usage, in time order; a bucket without any record is left out.' },
      ),
    }),
    { description: 'One series per meter with usage in the range, by meter name.' },
  ),
});
export type UsageSeries = Static<typeof UsageSeries>;
