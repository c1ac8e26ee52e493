import { sql, type Kysely } from 'kysely';
import { ORGANIZATION_BILLING_STREAM_TYPE } from '@gyroscops/contracts';
import {
  evolveOrganizationBilling,
  initialOrganizationBillingState,
  isOrganizationBillingEvent,
  storedScaledDecimal,
  type OrganizationBillingState,
} from '@gyroscops/domain';
import type { EventStoreDb } from '@gyroscops/event-store';
import { usageHourOf } from './usage-series.projection';

interface HourFigures {
  count: bigint;
  sum: bigint;
  max: bigint;
}
const same = (a: HourFigures, b: HourFigures) => a.count === b.count && a.sum === b.sum && a.max === b.max;
const show = (figures: HourFigures | undefined) =>
  figures === undefined ? 'nothing' : `${figures.count} records, sum ${figures.sum}, max ${figures.max}`;

/**
 * `usage_series` as it must be: every organization billing stream folded with the domain's
 * evolveOrganizationBilling (the plan in force gives each meter's aggregation) and every accepted
 * record counted once in its hour. Answers how the read model differs (empty when equal).
 */
export async function usageSeriesDifferences(eventStore: EventStoreDb, readDb: Kysely<any>): Promise<string[]> {
  const events = await eventStore
    .selectFrom('events')
    .select(['stream_id', 'type', 'data'])
    .where('stream_type', '=', ORGANIZATION_BILLING_STREAM_TYPE)
    .orderBy('position')
    .execute();
  const states = new Map<string, OrganizationBillingState>();
  const expectedHours = new Map<string, HourFigures>();
  const expectedAggregations = new Map<string, string>();
  for (const row of events) {
    const event = { type: row.type, data: row.data as Record<string, unknown> };
    if (!isOrganizationBillingEvent(event)) continue;
    const before = states.get(row.stream_id) ?? initialOrganizationBillingState;
    const after = evolveOrganizationBilling(before, event);
    states.set(row.stream_id, after);
    if (after.kind === 'billing' && (before.kind === 'absent' || before.plan !== after.plan)) {
      for (const [meter, price] of Object.entries(after.plan.meters))
        expectedAggregations.set(`${after.organizationId}|${meter}`, price.aggregation);
    }
    if (event.type !== 'UsageRecorded') continue;
    for (const record of event.data.records) {
      const key = `${event.data.organizationId}|${record.meter}|${usageHourOf(record.occurredAt)}`;
      const quantity = storedScaledDecimal(record.quantity);
      const figures = expectedHours.get(key) ?? { count: 0n, sum: 0n, max: quantity };
      expectedHours.set(key, {
        count: figures.count + 1n,
        sum: figures.sum + quantity,
        max: quantity > figures.max ? quantity : figures.max,
      });
    }
  }

  const hourRows = await sql<{
    organization_id: string;
    meter: string;
    hour: Date;
    record_count: string;
    quantity_sum: string;
    quantity_max: string;
  }>`SELECT organization_id, meter, hour, record_count::text, quantity_sum::text, quantity_max::text FROM usage_series`.execute(
    readDb,
  );
  const actualHours = new Map(
    hourRows.rows.map((row) => [
      `${row.organization_id}|${row.meter}|${new Date(row.hour).toISOString()}`,
      { count: BigInt(row.record_count), sum: BigInt(row.quantity_sum), max: BigInt(row.quantity_max) },
    ]),
  );
  const meterRows = await sql<{
    organization_id: string;
    meter: string;
    aggregation: string;
  }>`SELECT organization_id, meter, aggregation FROM usage_series_meters`.execute(readDb);
  const actualAggregations = new Map(
    meterRows.rows.map((row) => [`${row.organization_id}|${row.meter}`, row.aggregation]),
  );

  const differences: string[] = [];
  for (const [key, figures] of expectedHours) {
    const found = actualHours.get(key);
    if (found === undefined || !same(found, figures))
      differences.push(`usage_series ${key}: expected ${show(figures)}, got ${show(found)}`);
  }
  for (const key of actualHours.keys())
    if (!expectedHours.has(key)) differences.push(`usage_series ${key}: unexpected`);
  for (const [key, aggregation] of expectedAggregations)
    if (actualAggregations.get(key) !== aggregation)
      differences.push(`usage_series_meters ${key}: expected ${aggregation}, got ${actualAggregations.get(key)}`);
  for (const key of actualAggregations.keys())
    if (!expectedAggregations.has(key)) differences.push(`usage_series_meters ${key}: unexpected`);
  return differences;
}
