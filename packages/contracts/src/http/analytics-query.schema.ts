import { Type, type Static } from '@sinclair/typebox';
import { CurrencyCode } from './common.schema';
import { Instant } from './instant.schema';
import { SafeString } from './safe-string.schema';
import { ANALYTICS_MAX_BUCKETS, BillingBucketInterval, HOURLY_ANALYTICS_MAX_DAYS } from './usage-series-query.schema';

/** Revenue is kept per day: a request may span up to ten years (still at most ANALYTICS_MAX_BUCKETS buckets). */
export const DAILY_ANALYTICS_MAX_DAYS = 3660;

/** An amount in the currency's major unit, as every amount of the API (see Amount), with what it counts. */
const AmountOf = (description: string) =>
  Type.String({ pattern: '^\\d+(\\.\\d+)?$', description: `Decimal string in the major unit. ${description}` });

const ORGANIZATION_SCOPE =
  "One of the caller's organizations (403 otherwise). Callers with the admin role may name any organization, or omit it for every organization; other callers must give it.";

export const PaymentAnalyticsQuery = Type.Object(
  {
    organizationId: Type.Optional(SafeString({ minLength: 1, maxLength: 100, description: ORGANIZATION_SCOPE })),
    from: Instant({
      description: `Payments created at or after (inclusive), by their hour of creation. \`from\` must be before \`to\`; at most ${ANALYTICS_MAX_BUCKETS} buckets and ${HOURLY_ANALYTICS_MAX_DAYS} days.`,
    }),
    to: Instant({ description: 'Payments created before (exclusive), by their hour of creation.' }),
    interval: Type.Optional(BillingBucketInterval),
    currency: Type.Optional(CurrencyCode),
  },
  { additionalProperties: false },
);
export type PaymentAnalyticsQuery = Static<typeof PaymentAnalyticsQuery>;

export const PaymentAnalytics = Type.Object({
  organizationId: Type.Union([Type.String(), Type.Null()], { description: 'Null: every organization.' }),
  interval: Type.String(),
  buckets: Type.Array(
    Type.Object({
      start: Type.String({ format: 'date-time', description: "The bucket's UTC start." }),
      currency: Type.String({ description: 'ISO 4217 code: one bucket per start and currency.' }),
      count: Type.Integer({ description: 'Payments created in the bucket (deleted ones are left out).' }),
      amount: AmountOf('Their total amount.'),
      processed: Type.Integer({ description: 'Of them, how many were charged (processed, then maybe refunded).' }),
      processedAmount: AmountOf('The amount charged of them.'),
      failed: Type.Integer({ description: 'Of them, how many were declined.' }),
      refundedAmount: AmountOf('What was refunded of them so far.'),
    }),
    { description: 'By start, then currency; a bucket without any payment is left out.' },
  ),
});
export type PaymentAnalytics = Static<typeof PaymentAnalytics>;

export const RevenueAnalyticsQuery = Type.Object(
  {
    organizationId: Type.Optional(SafeString({ minLength: 1, maxLength: 100, description: ORGANIZATION_SCOPE })),
    from: Instant({
      description: `Invoices issued at or after (inclusive), by their UTC day of issue. \`from\` must be before \`to\`; at most ${ANALYTICS_MAX_BUCKETS} buckets and ${DAILY_ANALYTICS_MAX_DAYS} days.`,
    }),
    to: Instant({ description: 'Invoices issued before (exclusive), by their UTC day of issue.' }),
    interval: Type.Optional(
      Type.Union([Type.Literal('day'), Type.Literal('month')], {
        default: 'month',
        description: 'Bucket length, in UTC.',
      }),
    ),
    currency: Type.Optional(CurrencyCode),
  },
  { additionalProperties: false },
);
export type RevenueAnalyticsQuery = Static<typeof RevenueAnalyticsQuery>;

export const RevenueAnalytics = Type.Object({
  organizationId: Type.Union([Type.String(), Type.Null()], { description: 'Null: every organization.' }),
  interval: Type.String(),
  currencies: Type.Record(
    Type.String(),
    Type.Object({
      buckets: Type.Array(
        Type.Object({
          start: Type.String({ format: 'date-time', description: "The bucket's UTC start." }),
          count: Type.Integer({ description: 'Invoices issued in the bucket.' }),
          invoiced: AmountOf('Their totals: paid + outstanding + uncollectible + voided.'),
          paid: AmountOf('What was paid of them.'),
          outstanding: AmountOf('What is still due on those open or past due.'),
          uncollectible: AmountOf('What is due on those marked uncollectible.'),
          voided: AmountOf('The totals of those voided.'),
          refunded: AmountOf('What was refunded of the amounts paid.'),
        }),
        { description: 'In time order; a bucket without any invoice is left out.' },
      ),
    }),
    { description: 'Per ISO 4217 currency.' },
  ),
});
export type RevenueAnalytics = Static<typeof RevenueAnalytics>;
