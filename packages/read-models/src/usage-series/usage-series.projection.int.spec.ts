/**
 * The `usage_series` read model against real databases: organization billing streams written the
 * way the billing workflow writes them (the domain's decideOrganizationBilling, then appendToStream)
 * and applied through the real runner. How we know no record is lost or counted twice: after every
 * step `usageSeriesDifferences` recomputes the table from the event store with the domain's fold
 * and must find nothing; a checkpoint moved back over applied events changes no row (the stream
 * version guard); a rebuild from scratch leaves exactly the rows the live projection made.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { ORGANIZATION_BILLING_STREAM_TYPE, organizationBillingStreamId } from '@gyroscops/contracts';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import {
  decideOrganizationBilling,
  foldOrganizationBilling,
  isDomainError,
  type BillingPlanInput,
  type OrganizationBillingCommand,
  type OrganizationBillingEvent,
} from '@gyroscops/domain';
import { appendToStream, eventStoreMigrations, type EventStoreDb, type EventStoreTables } from '@gyroscops/event-store';
import {
  applyNextBatch,
  ensureCheckpoint,
  prepareRebuild,
  projectionMigrations,
  swapRebuild,
  type ProjectionTables,
} from '@gyroscops/projections';
import { createDatabase, runMigrations, withTablesOf } from '@gyroscops/platform';
import { readModelMigrations } from '../migrations';
import { USAGE_SERIES_PROJECTION, usageSeriesProjection } from './usage-series.projection';
import { readUsageSeries } from './usage-series.queries';
import { usageSeriesDifferences } from './usage-series.reference';
import type { UsageSeriesTables } from './usage-series.table';

let env: TestEnvironment;
let eventStore: EventStoreDb;
let readDb: Kysely<UsageSeriesTables>;
let runnerDb: Kysely<ProjectionTables>;

beforeAll(async () => {
  env = await createTestEnvironment();
  eventStore = createDatabase<EventStoreTables>({ url: env.eventStoreDatabaseUrl });
  readDb = createDatabase<UsageSeriesTables>({ url: env.readDatabaseUrl });
  runnerDb = withTablesOf<ProjectionTables>(readDb);
  await runMigrations(eventStore, eventStoreMigrations);
  await runMigrations(readDb, projectionMigrations);
  await runMigrations(readDb, readModelMigrations);
  await ensureCheckpoint(runnerDb, USAGE_SERIES_PROJECTION, usageSeriesProjection.version);
});

afterAll(async () => {
  await Promise.all([eventStore?.destroy(), readDb?.destroy()]);
  await env?.dispose();
});

/** One organization's billing stream: decide on the fold, then append, as the billing workflow does. */
class BillingStream {
  readonly organizationId = randomUUID();
  readonly events: OrganizationBillingEvent[] = [];
  lastPosition = 0n;

  async run(command: OrganizationBillingCommand, now: string): Promise<void> {
    const state = foldOrganizationBilling(this.events);
    const decision = decideOrganizationBilling(state, command, { now, deriveId: () => randomUUID() });
    if (isDomainError(decision)) throw decision;
    if (decision.length === 0) return;
    const result = await appendToStream(eventStore, {
      streamId: organizationBillingStreamId(this.organizationId),
      streamType: ORGANIZATION_BILLING_STREAM_TYPE,
      expectedVersion: state.version === 0 ? 'no_stream' : state.version,
      events: decision.map((event) => ({
        eventId: randomUUID(),
        type: event.type,
        data: event.data,
        metadata: { organizationId: this.organizationId },
      })),
    });
    this.events.push(...decision);
    this.lastPosition = result.lastPosition;
  }

  setPlan(meters: BillingPlanInput['meters'], now: string) {
    return this.run(
      {
        type: 'SetBillingPlan',
        data: { organizationId: this.organizationId, plan: { currency: 'EUR', cycle: 'P1M', meters } },
      },
      now,
    );
  }

  record(records: { meter: string; quantity: string; occurredAt: string; recordId?: string }[], now: string) {
    return this.run(
      {
        type: 'RecordUsage',
        data: {
          organizationId: this.organizationId,
          records: records.map((record) => ({
            recordId: record.recordId ?? randomUUID(),
            organizationId: this.organizationId,
            ...record,
          })),
        },
      },
      now,
    );
  }

  close(now: string) {
    return this.run({ type: 'CloseBillingCycle', data: { organizationId: this.organizationId } }, now);
  }
}

const METERS: BillingPlanInput['meters'] = {
  cpu_seconds: { unitPrice: '0.000012', aggregation: 'sum' },
  requests: { unitPrice: '0.0001', aggregation: 'count' },
  seats: { unitPrice: '5', aggregation: 'max' },
};

async function project(position: bigint, batchSize = 50): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await applyNextBatch(runnerDb, eventStore, usageSeriesProjection, batchSize)).position < position) {
    if (Date.now() > deadline) throw new Error(`the projection never reached ${position}`);
  }
}

const rewindCheckpoint = () =>
  sql`UPDATE projection_checkpoints SET position = 0 WHERE projection = ${USAGE_SERIES_PROJECTION}`.execute(readDb);
const allRows = () =>
  sql`SELECT organization_id, meter, hour, record_count::text, quantity_sum::text, quantity_max::text FROM usage_series ORDER BY 1, 2, 3`
    .execute(readDb)
    .then((result) => result.rows);

const range = (from: string, to: string, interval: 'hour' | 'day' | 'month') => ({
  from: new Date(from),
  to: new Date(to),
  interval,
});

describe('usageSeriesProjection', () => {
  it('sums, counts and takes the max per UTC hour, and rolls hours up into days and months exactly', async () => {
    const billing = new BillingStream();
    await billing.setPlan(METERS, '2025-01-31T20:00:00.000Z');
    await billing.record(
      [
        // The last millisecond of January and the first of February: two hours, two days, two months.
        { meter: 'cpu_seconds', quantity: '0.000000000001', occurredAt: '2025-01-31T23:59:59.999Z' },
        { meter: 'cpu_seconds', quantity: '1.999999999999', occurredAt: '2025-01-31T23:00:00.000Z' },
        { meter: 'cpu_seconds', quantity: '0.1', occurredAt: '2025-02-01T00:00:00.000Z' },
        { meter: 'cpu_seconds', quantity: '0.2', occurredAt: '2025-02-01T00:30:00.000+00:00' },
        { meter: 'requests', quantity: '7', occurredAt: '2025-01-31T23:10:00.000Z' },
        { meter: 'requests', quantity: '0', occurredAt: '2025-02-01T01:10:00.000Z' },
        { meter: 'seats', quantity: '3', occurredAt: '2025-01-31T23:10:00.000Z' },
        { meter: 'seats', quantity: '5', occurredAt: '2025-02-01T02:00:00.000Z' },
        { meter: 'seats', quantity: '4', occurredAt: '2025-02-01T02:59:59.999Z' },
      ],
      '2025-02-01T03:00:00.000Z',
    );
    await project(billing.lastPosition);
    const { organizationId } = billing;

    const hourly = await readUsageSeries(readDb, {
      organizationId,
      ...range('2025-01-31T00:00:00Z', '2025-02-02T00:00:00Z', 'hour'),
    });
    expect(hourly).toEqual([
      {
        meter: 'cpu_seconds',
        aggregation: 'sum',
        buckets: [
          // 0.000000000001 + 1.999999999999: exactly 2, never 1.9999999999999998.
          { start: '2025-01-31T23:00:00.000Z', quantity: '2' },
          { start: '2025-02-01T00:00:00.000Z', quantity: '0.3' },
        ],
      },
      {
        meter: 'requests',
        aggregation: 'count',
        buckets: [
          { start: '2025-01-31T23:00:00.000Z', quantity: '1' },
          { start: '2025-02-01T01:00:00.000Z', quantity: '1' },
        ],
      },
      {
        meter: 'seats',
        aggregation: 'max',
        buckets: [
          { start: '2025-01-31T23:00:00.000Z', quantity: '3' },
          { start: '2025-02-01T02:00:00.000Z', quantity: '5' },
        ],
      },
    ]);
    const monthly = await readUsageSeries(readDb, {
      organizationId,
      ...range('2025-01-01T00:00:00Z', '2025-03-01T00:00:00Z', 'month'),
    });
    expect(monthly.map((series) => [series.meter, series.buckets])).toEqual([
      [
        'cpu_seconds',
        [
          { start: '2025-01-01T00:00:00.000Z', quantity: '2' },
          { start: '2025-02-01T00:00:00.000Z', quantity: '0.3' },
        ],
      ],
      [
        'requests',
        [
          { start: '2025-01-01T00:00:00.000Z', quantity: '1' },
          { start: '2025-02-01T00:00:00.000Z', quantity: '1' },
        ],
      ],
      [
        'seats',
        [
          { start: '2025-01-01T00:00:00.000Z', quantity: '3' },
          { start: '2025-02-01T00:00:00.000Z', quantity: '5' },
        ],
      ],
    ]);
    // A day of hours: sums of sums, counts summed, the max of maxes.
    const daily = await readUsageSeries(readDb, {
      organizationId,
      ...range('2025-02-01T00:00:00Z', '2025-02-02T00:00:00Z', 'day'),
      meter: 'seats',
    });
    expect(daily).toEqual([
      { meter: 'seats', aggregation: 'max', buckets: [{ start: '2025-02-01T00:00:00.000Z', quantity: '5' }] },
    ]);
    // `to` is exclusive, hour by hour: the 23:00 hour of January 31 is outside [.., 23:00).
    expect(
      await readUsageSeries(readDb, {
        organizationId,
        ...range('2025-01-31T00:00:00Z', '2025-01-31T23:00:00Z', 'day'),
      }),
    ).toEqual([]);
    expect(await usageSeriesDifferences(eventStore, readDb)).toEqual([]);
  });

  it('keeps large sums exact beyond what a float or an int8 holds', async () => {
    const billing = new BillingStream();
    await billing.setPlan(METERS, '2025-03-01T00:00:00.000Z');
    const big = '999999999999999.999999999999';
    await billing.record(
      Array.from({ length: 20 }, () => ({ meter: 'cpu_seconds', quantity: big, occurredAt: '2025-03-01T05:00:00Z' })),
      '2025-03-01T06:00:00.000Z',
    );
    await project(billing.lastPosition);
    const [series] = await readUsageSeries(readDb, {
      organizationId: billing.organizationId,
      ...range('2025-03-01T00:00:00Z', '2025-03-02T00:00:00Z', 'day'),
    });
    expect(series?.buckets).toEqual([{ start: '2025-03-01T00:00:00.000Z', quantity: '19999999999999999.99999999998' }]);
  });

  it('a meter follows the aggregation of the plan in force: a change waits for the cycle to close', async () => {
    const billing = new BillingStream();
    await billing.setPlan(METERS, '2025-04-01T00:00:00.000Z');
    await billing.record(
      [
        { meter: 'requests', quantity: '2', occurredAt: '2025-04-02T10:00:00Z' },
        { meter: 'requests', quantity: '5', occurredAt: '2025-04-02T10:30:00Z' },
      ],
      '2025-04-02T11:00:00.000Z',
    );
    await billing.setPlan({ ...METERS, requests: { unitPrice: '0.0001', aggregation: 'sum' } }, '2025-04-03T00:00:00Z');
    await project(billing.lastPosition);
    const read = () =>
      readUsageSeries(readDb, {
        organizationId: billing.organizationId,
        ...range('2025-04-01T00:00:00Z', '2025-05-01T00:00:00Z', 'month'),
        meter: 'requests',
      });
    expect(await read()).toEqual([
      { meter: 'requests', aggregation: 'count', buckets: [{ start: '2025-04-01T00:00:00.000Z', quantity: '2' }] },
    ]);

    await billing.close('2025-05-01T00:00:00.000Z');
    await project(billing.lastPosition);

    expect(await read()).toEqual([
      { meter: 'requests', aggregation: 'sum', buckets: [{ start: '2025-04-01T00:00:00.000Z', quantity: '7' }] },
    ]);
    expect(await usageSeriesDifferences(eventStore, readDb)).toEqual([]);
  });

  it('given a checkpoint moved back over applied events, then no row changes and later events apply once', async () => {
    const billing = new BillingStream();
    await billing.setPlan(METERS, '2025-06-01T00:00:00.000Z');
    await billing.record(
      [{ meter: 'cpu_seconds', quantity: '1.5', occurredAt: '2025-06-01T01:00:00Z' }],
      '2025-06-01T02:00:00Z',
    );
    await billing.record(
      [{ meter: 'cpu_seconds', quantity: '2', occurredAt: '2025-06-01T01:30:00Z' }],
      '2025-06-01T02:00:00Z',
    );
    await project(billing.lastPosition);
    const before = await allRows();

    await rewindCheckpoint();
    await project(billing.lastPosition, 1);
    expect(await allRows()).toEqual(before);

    await billing.record(
      [{ meter: 'cpu_seconds', quantity: '0.25', occurredAt: '2025-06-01T01:45:00Z' }],
      '2025-06-01T02:00:00Z',
    );
    await rewindCheckpoint();
    await project(billing.lastPosition, 2);
    const [series] = await readUsageSeries(readDb, {
      organizationId: billing.organizationId,
      ...range('2025-06-01T00:00:00Z', '2025-06-02T00:00:00Z', 'hour'),
    });
    expect(series?.buckets).toEqual([{ start: '2025-06-01T01:00:00.000Z', quantity: '3.75' }]);
    expect(await usageSeriesDifferences(eventStore, readDb)).toEqual([]);
  });

  it('a rebuild from the event store leaves exactly the rows the live projection made', async () => {
    const billing = new BillingStream();
    await billing.setPlan(METERS, '2025-07-01T00:00:00.000Z');
    await billing.record(
      [
        { meter: 'seats', quantity: '9', occurredAt: '2025-07-01T03:00:00Z' },
        { meter: 'requests', quantity: '1', occurredAt: '2025-07-01T04:00:00Z' },
      ],
      '2025-07-01T05:00:00Z',
    );
    await project(billing.lastPosition);
    const live = await allRows();
    const liveMeters = await readDb
      .selectFrom('usage_series_meters')
      .selectAll()
      .orderBy('organization_id')
      .orderBy('meter')
      .execute();

    await prepareRebuild(runnerDb, eventStore, usageSeriesProjection);
    const progress = await swapRebuild(runnerDb, eventStore, usageSeriesProjection, 7);

    expect(progress.caughtUp).toBe(true);
    expect(await allRows()).toEqual(live);
    expect(
      await readDb.selectFrom('usage_series_meters').selectAll().orderBy('organization_id').orderBy('meter').execute(),
    ).toEqual(liveMeters);
    expect(await usageSeriesDifferences(eventStore, readDb)).toEqual([]);
  });
});
