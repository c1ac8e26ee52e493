import { cacheTags, PROJECTIONS, type PaymentStatistics, type PaymentStatisticsQuery } from '@gyroscops/contracts';
import { readPaymentStatistics } from '@gyroscops/read-models';
import type { QueryHandler } from '../query-bus/query-handler';

const dayOf = (value: string | undefined) => (value === undefined ? undefined : value.slice(0, 10));

/** `GET /statistics/payments`: per-currency figures of an organization, from the `payment_statistics` read model. */
export const paymentStatisticsQuery: QueryHandler<PaymentStatisticsQuery, PaymentStatistics> = {
  type: 'payment-statistics',
  projections: [PROJECTIONS.paymentStatistics],
  cache: {
    ttlSeconds: 60,
    tags: ({ organizationId }) => [
      cacheTags.organization(organizationId),
      cacheTags.projection(PROJECTIONS.paymentStatistics),
    ],
  },
  async handle(params, { readDb }) {
    const fromDay = dayOf(params.from);
    const toDay = dayOf(params.to);
    const currencies = await readPaymentStatistics(readDb, {
      organizationId: params.organizationId,
      fromDay,
      toDay,
      currency: params.currency,
    });
    return { organizationId: params.organizationId, from: fromDay ?? null, to: toDay ?? null, currencies };
  },
};
