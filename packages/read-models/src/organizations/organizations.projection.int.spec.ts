/**
 * Proves the organizations read model equals the fold of each organization's billing and account
 * streams: events are decided by the domain's own deciders, stored with `appendToStream` and applied
 * through the real runner. The view's unbilled usage is priced with the domain's pricing; usage is
 * kept as per-meter aggregates (one row per organization, whatever the number of records);
 * `organizationsDifferences` (the check every fault and end-to-end test runs) must find nothing; a
 * checkpoint rewound over events the rows already hold changes nothing; a rebuild gives the same rows.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import { eventStoreMigrations, type EventStoreDb, type EventStoreTables } from '@gyroscops/event-store';
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
import { OrganizationAccountStream, OrganizationBillingStream } from '../invoices/test-support/billing-streams';
import { organizationsDifferences } from './organizations.reference';
import { ORGANIZATIONS_PROJECTION, organizationsProjection } from './organizations.projection';
import { findOrganizationView } from './organizations.queries';
import type { OrganizationReadTables } from './organizations.table';

let env: TestEnvironment;
let eventStore: EventStoreDb;
let readDb: Kysely<OrganizationReadTables>;
let runnerDb: Kysely<ProjectionTables>;

beforeAll(async () => {
  env = await createTestEnvironment();
  eventStore = createDatabase<EventStoreTables>({ url: env.eventStoreDatabaseUrl });
  readDb = createDatabase<OrganizationReadTables>({ url: env.readDatabaseUrl });
  runnerDb = withTablesOf<ProjectionTables>(readDb);
  await runMigrations(eventStore, eventStoreMigrations);
  await runMigrations(readDb, projectionMigrations);
  await runMigrations(readDb, readModelMigrations);
  await ensureCheckpoint(runnerDb, ORGANIZATIONS_PROJECTION, organizationsProjection.version);
});

afterAll(async () => {
  await Promise.all([eventStore?.destroy(), readDb?.destroy()]);
  await env?.dispose();
});

const HOUR = 3_600_000;
const at = (ms: number) => new Date(ms).toISOString();
const T0 = Date.UTC(2026, 2, 1, 8);

async function project(position: bigint, batchSize = 50): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await applyNextBatch(runnerDb, eventStore, organizationsProjection, batchSize)).position < position) {
    if (Date.now() > deadline) throw new Error(`the projection never reached ${position}`);
  }
}

const rewindCheckpoint = () =>
  sql`UPDATE projection_checkpoints SET position = 0 WHERE projection = ${ORGANIZATIONS_PROJECTION}`.execute(readDb);
const allRows = () => readDb.selectFrom('organizations').selectAll().orderBy('organization_id').execute();

const PLAN = {
  currency: 'EUR',
  cycle: 'PT1H',
  baseFee: '5.00',
  meters: {
    cpu_seconds: { unitPrice: '0.000012', aggregation: 'sum' as const },
    seats: { unitPrice: '0.125', aggregation: 'max' as const },
  },
};

async function organizationWithPlan(): Promise<OrganizationBillingStream> {
  const billing = new OrganizationBillingStream(eventStore, randomUUID());
  await billing.run({ type: 'SetBillingPlan', data: { organizationId: billing.organizationId, plan: PLAN } }, at(T0));
  return billing;
}

/** One usage batch of `count` records of `meter`, each of `quantity`, at `minute` into the first cycle. */
const usage = (billing: OrganizationBillingStream, meter: string, quantity: string, count: number, minute: number) =>
  billing.run(
    {
      type: 'RecordUsage',
      data: {
        organizationId: billing.organizationId,
        records: Array.from({ length: count }, () => ({
          recordId: randomUUID(),
          organizationId: billing.organizationId,
          meter,
          quantity,
          occurredAt: at(T0 + minute * 60_000),
        })),
      },
    },
    at(T0 + minute * 60_000 + 1_000),
  );

describe('organizationsProjection', () => {
  it('prices the unbilled usage of the current cycle half-even, and starts afresh when the cycle closes', async () => {
    const billing = await organizationWithPlan();
    // 3 x 0.5 CPU seconds = 1.5 x 0.000012 = 0.000018 EUR: 0.00. 4 batches of 1,000 x 123.456789 = 493,827.156 CPU seconds
    // = 5.925925872 EUR: 5.93. Seats: the largest is 3, at 0.125 = 0.375: half-even to 0.38.
    for (let batch = 0; batch < 4; batch += 1) await usage(billing, 'cpu_seconds', '123.456789', 1_000, 10 + batch);
    await usage(billing, 'seats', '2', 1, 20);
    await usage(billing, 'seats', '3', 1, 21);
    await project(billing.lastPosition);

    expect(await findOrganizationView(readDb, billing.organizationId)).toEqual({
      organizationId: billing.organizationId,
      status: 'active',
      plan: { ...PLAN, dunning: ['P1D', 'P3D', 'P7D'] },
      pendingPlan: null,
      currentCycle: { sequence: 1, start: at(T0), end: at(T0 + HOUR) },
      unbilled: {
        cpu_seconds: { quantity: '493827.156', amount: '5.93' },
        seats: { quantity: '3', amount: '0.38' },
      },
      version: 7,
    });
    // Four thousand records, one row: usage is kept as per-meter aggregates.
    expect(
      await readDb
        .selectFrom('organizations')
        .where('organization_id', '=', billing.organizationId)
        .select((eb) => eb.fn.countAll().as('rows'))
        .executeTakeFirst(),
    ).toEqual({ rows: '1' });

    await billing.close(at(T0 + HOUR));
    await project(billing.lastPosition);
    expect(await findOrganizationView(readDb, billing.organizationId)).toMatchObject({
      currentCycle: { sequence: 2, start: at(T0 + HOUR), end: at(T0 + 2 * HOUR) },
      unbilled: {},
    });
    expect(await organizationsDifferences(eventStore, readDb)).toEqual([]);
  });

  it('folds 100,000 usage records into one row of per-meter aggregates, in batches the size the worker uses', async () => {
    const billing = await organizationWithPlan();
    for (let batch = 0; batch < 100; batch += 1) await usage(billing, 'cpu_seconds', '0.25', 1_000, 30);
    const started = Date.now();
    await project(billing.lastPosition, 500);
    const elapsedMs = Date.now() - started;

    // 100,000 x 0.25 = 25,000 CPU seconds x 0.000012 = 0.30 EUR.
    expect(await findOrganizationView(readDb, billing.organizationId)).toMatchObject({
      unbilled: { cpu_seconds: { quantity: '25000', amount: '0.30' } },
      version: 101,
    });
    const row = await readDb
      .selectFrom('organizations')
      .select((eb) => [
        eb.fn.countAll<string>().as('rows'),
        sql<number>`max(pg_column_size(billing_state))`.as('bytes'),
      ])
      .where('organization_id', '=', billing.organizationId)
      .executeTakeFirstOrThrow();
    // One row whose state does not grow with the records: a few hundred bytes per meter.
    expect(row.rows).toBe('1');
    expect(Number(row.bytes)).toBeLessThan(2_000);
    expect(elapsedMs).toBeLessThan(30_000);
  });

  it('shows a plan change as pending until the cycle closes, and the account standing', async () => {
    const billing = await organizationWithPlan();
    const account = new OrganizationAccountStream(eventStore, billing.organizationId);
    const cheaper = { ...PLAN, baseFee: '1.00' };
    await billing.run(
      { type: 'SetBillingPlan', data: { organizationId: billing.organizationId, plan: cheaper } },
      at(T0 + 60_000),
    );
    const invoiceId = randomUUID();
    await account.run(
      { type: 'SuspendOrganization', data: { organizationId: billing.organizationId, invoiceId } },
      at(T0 + 120_000),
    );
    await project(account.lastPosition);

    expect(await findOrganizationView(readDb, billing.organizationId)).toMatchObject({
      status: 'suspended',
      plan: { baseFee: '5.00' },
      pendingPlan: { baseFee: '1.00' },
    });

    await account.run(
      { type: 'ReinstateOrganization', data: { organizationId: billing.organizationId, invoiceId } },
      at(T0 + 180_000),
    );
    await billing.close(at(T0 + HOUR));
    await project(billing.lastPosition);
    expect(await findOrganizationView(readDb, billing.organizationId)).toMatchObject({
      status: 'active',
      plan: { baseFee: '1.00' },
      pendingPlan: null,
    });
    expect(await organizationsDifferences(eventStore, readDb)).toEqual([]);
  });

  it('has no view for an organization without a plan, even with account events', async () => {
    const account = new OrganizationAccountStream(eventStore, randomUUID());
    await account.run(
      { type: 'SuspendOrganization', data: { organizationId: account.organizationId, invoiceId: randomUUID() } },
      at(T0),
    );
    await project(account.lastPosition);
    expect(await findOrganizationView(readDb, account.organizationId)).toBeUndefined();
    expect(await findOrganizationView(readDb, randomUUID())).toBeUndefined();
    expect(
      await readDb
        .selectFrom('organizations')
        .select('status')
        .where('organization_id', '=', account.organizationId)
        .executeTakeFirst(),
    ).toEqual({ status: 'suspended' });
  });

  it('given a checkpoint rewound over events the rows already hold, then no row changes; a rebuild gives the same rows', async () => {
    const billing = await organizationWithPlan();
    await usage(billing, 'cpu_seconds', '10', 3, 5);
    await usage(billing, 'cpu_seconds', '10', 2, 6);
    await project(billing.lastPosition);
    const before = await allRows();

    // Every event of this file comes again, in batches of 2: were a usage batch folded twice, the
    // aggregates (and the unbilled quantity) would grow, and the rows would differ.
    await rewindCheckpoint();
    await project(billing.lastPosition, 2);
    expect(await allRows()).toEqual(before);
    expect(await findOrganizationView(readDb, billing.organizationId)).toMatchObject({
      unbilled: { cpu_seconds: { quantity: '50', amount: '0.00' } },
    });

    await prepareRebuild(runnerDb, eventStore, organizationsProjection);
    const progress = await swapRebuild(runnerDb, eventStore, organizationsProjection, 5);
    expect(progress.caughtUp).toBe(true);
    expect(await allRows()).toEqual(before);
    expect(await organizationsDifferences(eventStore, readDb)).toEqual([]);
  });
});
