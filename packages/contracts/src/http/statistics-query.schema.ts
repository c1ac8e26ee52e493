import { Type, type Static } from '@sinclair/typebox';
import { Amount, CurrencyCode, OrganizationId } from './common.schema';
import { Day, Instant } from './instant.schema';
import { SafeString } from './safe-string.schema';

export const PaymentStatisticsQuery = Type.Object(
  {
    organizationId: OrganizationId,
    from: Type.Optional(Type.Union([Day(), Instant()], { description: 'First creation day counted (inclusive).' })),
    to: Type.Optional(Type.Union([Day(), Instant()], { description: 'Creation day counting stops at (exclusive).' })),
    currency: Type.Optional(CurrencyCode),
  },
  { additionalProperties: false },
);
export type PaymentStatisticsQuery = Static<typeof PaymentStatisticsQuery>;

const StatusFigures = Type.Object({ count: Type.Integer(), amount: Amount });

export const CurrencyStatistics = Type.Object({
  count: Type.Integer(),
  totalAmount: Amount,
  /** Rounded half up to the currency's minor unit. */
  averageAmount: Amount,
  byStatus: Type.Record(Type.String(), StatusFigures),
});

export const PaymentStatistics = Type.Object({
  organizationId: Type.String(),
  from: Type.Union([Type.String(), Type.Null()]),
  to: Type.Union([Type.String(), Type.Null()]),
  currencies: Type.Record(Type.String(), CurrencyStatistics, { description: 'Figures per ISO 4217 currency.' }),
});
export type PaymentStatistics = Static<typeof PaymentStatistics>;

export const EventAnalyticsQuery = Type.Object(
  {
    type: Type.Optional(Type.Array(SafeString({ minLength: 1, maxLength: 100 }), { maxItems: 20 })),
    from: Instant({ description: 'Recorded at or after (inclusive).' }),
    to: Instant({ description: 'Recorded before (exclusive).' }),
    interval: Type.Optional(
      Type.Union([Type.Literal('hour'), Type.Literal('day'), Type.Literal('week'), Type.Literal('month')], {
        default: 'day',
      }),
    ),
  },
  { additionalProperties: false },
);
export type EventAnalyticsQuery = Static<typeof EventAnalyticsQuery>;

export const EventAnalytics = Type.Object({
  interval: Type.String(),
  buckets: Type.Array(Type.Object({ start: Type.String({ format: 'date-time' }), count: Type.Integer() })),
});
export type EventAnalytics = Static<typeof EventAnalytics>;
