import type { ColumnType } from 'kysely';
import type { Aggregation, BillingPlan } from '@gyroscops/domain';

type Int8 = ColumnType<string, string | bigint, string | bigint>;
/** A scaled decimal (the quantity times 10^12, see the domain's decimal-quantity) in a `numeric` column. */
type ScaledNumeric = ColumnType<string, string, string>;

/**
 * Usage per organization, meter and UTC hour of the records' `occurredAt`: how many records, the sum
 * and the largest of their quantities. All three are kept whatever the meter's aggregation, so hours
 * roll up exactly into days and months (sums of sums and of counts, the max of maxes) and a change of
 * aggregation in the plan needs no rebuild.
 */
export interface UsageSeriesTable {
  organization_id: string;
  meter: string;
  hour: ColumnType<Date, Date | string, Date | string>;
  record_count: Int8;
  quantity_sum: ScaledNumeric;
  quantity_max: ScaledNumeric;
}

/**
 * The projection's memory of each organization billing stream: the stream version applied last
 * (events at or below it are never applied again) and the plan in force and waiting, as the domain
 * folds them (a plan change takes effect when the cycle closes).
 */
export interface UsageSeriesOrganizationsTable {
  organization_id: string;
  version: number;
  plan: ColumnType<BillingPlan | null, string | null, string | null>;
  pending_plan: ColumnType<BillingPlan | null, string | null, string | null>;
}

/** Each meter's aggregation, as the latest plan in force that priced it says. */
export interface UsageSeriesMetersTable {
  organization_id: string;
  meter: string;
  aggregation: Aggregation;
}

export interface UsageSeriesTables {
  usage_series: UsageSeriesTable;
  usage_series_organizations: UsageSeriesOrganizationsTable;
  usage_series_meters: UsageSeriesMetersTable;
}
