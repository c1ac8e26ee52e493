import { PROJECTIONS } from '@gyroscops/contracts';
import type { Projection } from '@gyroscops/projections';
import { eventCountsProjection, paymentsProjection, paymentStatisticsProjection } from '@gyroscops/read-models';
import { invoicesProjection, organizationsProjection } from '@gyroscops/read-models';
import { usageSeriesProjection } from '@gyroscops/read-models';
import { paymentAnalyticsProjection } from '@gyroscops/read-models';
import { revenueAnalyticsProjection } from '@gyroscops/read-models';

/** Every projection this worker runs, by the name contracts give it. */
export const projectionRegistry: Record<string, Projection> = {
  [PROJECTIONS.payments]: paymentsProjection,
  [PROJECTIONS.paymentStatistics]: paymentStatisticsProjection,
  [PROJECTIONS.eventCounts]: eventCountsProjection,
  [PROJECTIONS.invoices]: invoicesProjection,
  [PROJECTIONS.organizations]: organizationsProjection,
  [PROJECTIONS.usageSeries]: usageSeriesProjection,
  [PROJECTIONS.paymentAnalytics]: paymentAnalyticsProjection,
  [PROJECTIONS.revenueAnalytics]: revenueAnalyticsProjection,
};
