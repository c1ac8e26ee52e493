import { sql, type Transaction } from 'kysely';
import { ORGANIZATION_BILLING_STREAM_TYPE } from '@gyroscops/contracts';
import {
  isOrganizationBillingEvent,
  ORGANIZATION_BILLING_EVENT_TYPES,
  samePlan,
  storedInstantToMs,
  storedScaledDecimal,
  type Aggregation,
  type BillingPlan,
  type OrganizationBillingEvent,
} from '@gyroscops/domain';
import type { RecordedEvent } from '@gyroscops/event-store';
import type { Projection, ProjectionChanges } from '@gyroscops/projections';
import type { UsageSeriesTables } from './usage-series.table';

export const USAGE_SERIES_PROJECTION = 'usage_series';

/** The UTC hour an instant falls in, as an ISO string. */
export function usageHourOf(occurredAt: string): string {
  const ms = storedInstantToMs(occurredAt);
  return new Date(ms - (((ms % 3_600_000) + 3_600_000) % 3_600_000)).toISOString();
}

/** The plans of an organization as the domain folds them: in force, and waiting for the next cycle. */
export interface UsagePlans {
  plan: BillingPlan | null;
  pendingPlan: BillingPlan | null;
}

/**
 * The plans after one event, by the domain's rules (evolveOrganizationBilling): the first plan that
 * starts a cycle is in force at once; a later one waits for the next cycle (or cancels the waiting
 * change when it repeats the plan in force); a cycle's close puts the waiting plan in force.
 */
export function nextUsagePlans(plans: UsagePlans, event: OrganizationBillingEvent): UsagePlans {
  if (plans.plan === null) {
    return event.type === 'BillingPlanSet' && event.data.firstCycle !== null
      ? { plan: event.data.plan, pendingPlan: null }
      : plans;
  }
  switch (event.type) {
    case 'BillingPlanSet':
      return { plan: plans.plan, pendingPlan: samePlan(event.data.plan, plans.plan) ? null : event.data.plan };
    case 'BillingCycleClosed':
      return { plan: plans.pendingPlan ?? plans.plan, pendingPlan: null };
    default:
      return plans;
  }
}

interface HourUsage {
  organizationId: string;
  meter: string;
  hour: string;
  count: bigint;
  sum: bigint;
  max: bigint;
}

/**
 * `usage_series`: every accepted usage record (UsageRecorded's records, duplicates never among them)
 * counted in the UTC hour of its `occurredAt`, per organization and meter, whichever cycle bills it.
 * Each organization's stream version is remembered, so an event the table already holds (a
 * checkpoint moved back, a batch retried) is never added twice; the plans are folded alongside to
 * know each meter's aggregation.
 */
export const usageSeriesProjection: Projection<UsageSeriesTables> = {
  name: USAGE_SERIES_PROJECTION,
  version: 1,
  eventTypes: ORGANIZATION_BILLING_EVENT_TYPES,
  tables: ['usage_series', 'usage_series_organizations', 'usage_series_meters'],
  poisonPolicy: 'park',
  async apply(events: RecordedEvent[], trx: Transaction<UsageSeriesTables>): Promise<ProjectionChanges> {
    const byOrganization = new Map<string, RecordedEvent[]>();
    for (const event of events) {
      if (event.streamType !== ORGANIZATION_BILLING_STREAM_TYPE) continue;
      const organizationId = event.data.organizationId;
      if (typeof organizationId !== 'string') continue;
      byOrganization.set(organizationId, [...(byOrganization.get(organizationId) ?? []), event]);
    }
    if (byOrganization.size === 0) return { paymentIds: [], organizationIds: [] };
    const known = new Map(
      (
        await trx
          .selectFrom('usage_series_organizations')
          .selectAll()
          .where('organization_id', 'in', [...byOrganization.keys()])
          .execute()
      ).map((row) => [row.organization_id, row]),
    );

    const hours = new Map<string, HourUsage>();
    const organizations: {
      organization_id: string;
      version: number;
      plan: string | null;
      pending_plan: string | null;
    }[] = [];
    const meters = new Map<string, { organization_id: string; meter: string; aggregation: Aggregation }>();
    for (const [organizationId, streamEvents] of byOrganization) {
      const row = known.get(organizationId);
      let version = row?.version ?? 0;
      let plans: UsagePlans = { plan: row?.plan ?? null, pendingPlan: row?.pending_plan ?? null };
      for (const event of streamEvents) {
        const domainEvent = { type: event.type, data: event.data };
        if (event.streamVersion <= version || !isOrganizationBillingEvent(domainEvent)) continue;
        version = event.streamVersion;
        const before = plans.plan;
        plans = nextUsagePlans(plans, domainEvent);
        if (plans.plan !== null && plans.plan !== before) {
          for (const [meter, price] of Object.entries(plans.plan.meters))
            meters.set(`${organizationId}\u0000${meter}`, {
              organization_id: organizationId,
              meter,
              aggregation: price.aggregation,
            });
        }
        if (domainEvent.type !== 'UsageRecorded') continue;
        for (const record of domainEvent.data.records) {
          const hour = usageHourOf(record.occurredAt);
          const quantity = storedScaledDecimal(record.quantity);
          const key = `${organizationId}\u0000${record.meter}\u0000${hour}`;
          const entry = hours.get(key);
          if (entry === undefined) {
            hours.set(key, {
              organizationId,
              meter: record.meter,
              hour,
              count: 1n,
              sum: quantity,
              max: quantity,
            });
          } else {
            entry.count += 1n;
            entry.sum += quantity;
            if (quantity > entry.max) entry.max = quantity;
          }
        }
      }
      if (version === (row?.version ?? 0)) continue;
      organizations.push({
        organization_id: organizationId,
        version,
        plan: plans.plan === null ? null : JSON.stringify(plans.plan),
        pending_plan: plans.pendingPlan === null ? null : JSON.stringify(plans.pendingPlan),
      });
    }

    if (hours.size > 0) {
      await trx
        .insertInto('usage_series')
        .values(
          [...hours.values()].map((entry) => ({
            organization_id: entry.organizationId,
            meter: entry.meter,
            hour: entry.hour,
            record_count: entry.count.toString(),
            quantity_sum: entry.sum.toString(),
            quantity_max: entry.max.toString(),
          })),
        )
        .onConflict((conflict) =>
          conflict.columns(['organization_id', 'meter', 'hour']).doUpdateSet({
            record_count: sql`usage_series.record_count + excluded.record_count`,
            quantity_sum: sql`usage_series.quantity_sum + excluded.quantity_sum`,
            quantity_max: sql`greatest(usage_series.quantity_max, excluded.quantity_max)`,
          }),
        )
        .execute();
    }
    if (meters.size > 0) {
      await trx
        .insertInto('usage_series_meters')
        .values([...meters.values()])
        .onConflict((conflict) =>
          conflict.columns(['organization_id', 'meter']).doUpdateSet({ aggregation: sql`excluded.aggregation` }),
        )
        .execute();
    }
    if (organizations.length > 0) {
      await trx
        .insertInto('usage_series_organizations')
        .values(organizations)
        .onConflict((conflict) =>
          conflict.column('organization_id').doUpdateSet({
            version: sql`excluded.version`,
            plan: sql`excluded.plan`,
            pending_plan: sql`excluded.pending_plan`,
          }),
        )
        .execute();
    }
    return { paymentIds: [], organizationIds: organizations.map((row) => row.organization_id) };
  },
};
