/**
 * Loading an organization's billing: the snapshot plus the events after it, and which of a batch's
 * record ids are already claimed. Real Postgres.
 */
import { randomUUID } from 'node:crypto';
import { organizationBillingStreamId, ORGANIZATION_BILLING_STREAM_TYPE } from '@gyroscops/contracts';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import {
  decideOrganizationBilling,
  foldOrganizationBilling,
  isDomainError,
  type OrganizationBillingCommand,
  type OrganizationBillingEvent,
  type OrganizationBillingState,
} from '@gyroscops/domain';
import {
  appendClaimingUsageRecords,
  eventStoreMigrations,
  saveSnapshot,
  type EventStoreDb,
  type EventStoreTables,
} from '@gyroscops/event-store';
import { createDatabase, runMigrations } from '@gyroscops/platform';
import { BILLING_STATE_SCHEMA_VERSION, decodeBillingState, encodeBillingState } from '@gyroscops/contracts/workflows';
import { createBillingCommandActivities } from './billing-command-activities';

let env: TestEnvironment;
let db: EventStoreDb;
let activities: ReturnType<typeof createBillingCommandActivities>;

beforeAll(async () => {
  env = await createTestEnvironment();
  db = createDatabase<EventStoreTables>({ url: env.eventStoreDatabaseUrl, maxConnections: 4 });
  await runMigrations(db, eventStoreMigrations);
  activities = createBillingCommandActivities({ eventStore: db });
});
afterAll(async () => {
  await db?.destroy();
  await env?.dispose();
});

const NOW = new Date().toISOString();
const PLAN = { currency: 'EUR', cycle: 'P1M', meters: { cpu: { unitPrice: '0.01', aggregation: 'sum' as const } } };

function decided(state: OrganizationBillingState, command: OrganizationBillingCommand): OrganizationBillingEvent[] {
  const events = decideOrganizationBilling(state, command, { now: NOW, deriveId: (name) => name });
  if (isDomainError(events)) throw events;
  return events;
}

/** Appends as the workflow's activity does, without its Temporal context. */
async function append(
  organizationId: string,
  version: number,
  events: OrganizationBillingEvent[],
  commandId: string = randomUUID(),
) {
  const recordIds = events.flatMap((e) => (e.type === 'UsageRecorded' ? e.data.records.map((r) => r.recordId) : []));
  return appendClaimingUsageRecords(
    db,
    {
      streamId: organizationBillingStreamId(organizationId),
      streamType: ORGANIZATION_BILLING_STREAM_TYPE,
      expectedVersion: version === 0 ? 'no_stream' : version,
      events: events.map((event) => ({
        eventId: randomUUID(),
        type: event.type,
        data: event.data as unknown as Record<string, unknown>,
        metadata: { organizationId, commandId },
      })),
    },
    { organizationId, recordIds },
  );
}

const usage = (organizationId: string, recordId: string, quantity: string): OrganizationBillingCommand => ({
  type: 'RecordUsage',
  data: { organizationId, records: [{ recordId, organizationId, meter: 'cpu', quantity, occurredAt: NOW }] },
});

describe('loadOrganizationBilling', () => {
  it('answers the absent state at version 0 for an organization without a stream', async () => {
    const loaded = await activities.loadOrganizationBilling({
      organizationId: randomUUID(),
      recordIds: ['a'],
    });

    expect(loaded).toEqual({
      state: { kind: 'absent', version: 0 },
      version: 0,
      lastPosition: '0',
      alreadyAccepted: [],
    });
  });

  it('folds the whole stream without a snapshot, and names the claimed record ids of a batch', async () => {
    const organizationId = randomUUID();
    const planned = decided(foldOrganizationBilling([]), {
      type: 'SetBillingPlan',
      data: { organizationId, plan: PLAN },
    });
    await append(organizationId, 0, planned);
    const used = decided(foldOrganizationBilling(planned), usage(organizationId, 'r1', '2'));
    const appended = await append(organizationId, 1, used);

    const loaded = await activities.loadOrganizationBilling({ organizationId, recordIds: ['r1', 'r2'] });

    expect(decodeBillingState(loaded.state)).toEqual(foldOrganizationBilling([...planned, ...used]));
    expect(loaded).toMatchObject({
      version: 2,
      lastPosition: appended.lastPosition.toString(),
      alreadyAccepted: ['r1'],
    });
  });

  it('starts from the snapshot and folds only the events after its version', async () => {
    const organizationId = randomUUID();
    const planned = decided(foldOrganizationBilling([]), {
      type: 'SetBillingPlan',
      data: { organizationId, plan: PLAN },
    });
    await append(organizationId, 0, planned);
    const first = decided(foldOrganizationBilling(planned), usage(organizationId, 'r1', '2'));
    await append(organizationId, 1, first);
    // A snapshot at version 2 whose usage differs from what events 1 and 2 say: only a load that
    // starts from it (and does not fold those events again) answers its numbers.
    const truth = foldOrganizationBilling([...planned, ...first]);
    if (truth.kind !== 'billing') throw new Error('expected a plan');
    const marked = { ...truth, usage: new Map([['cpu', { count: 100, sum: 7n, max: 7n }]]) };
    await saveSnapshot(db, {
      streamId: organizationBillingStreamId(organizationId),
      version: 2,
      schemaVersion: BILLING_STATE_SCHEMA_VERSION,
      state: encodeBillingState(marked),
    });
    const second = decided(truth, usage(organizationId, 'r2', '3'));
    const appended = await append(organizationId, 2, second);

    const loaded = await activities.loadOrganizationBilling({ organizationId });
    const state = decodeBillingState(loaded.state);

    expect(state.kind === 'billing' && state.usage.get('cpu')).toEqual({
      count: 101,
      sum: 7n + 3_000_000_000_000n,
      max: 3_000_000_000_000n,
    });
    expect(state.version).toBe(3);
    expect(loaded).toMatchObject({ version: 3, lastPosition: appended.lastPosition.toString() });
  });

  it('answers the snapshot version and its last position when no event follows the snapshot', async () => {
    const organizationId = randomUUID();
    const planned = decided(foldOrganizationBilling([]), {
      type: 'SetBillingPlan',
      data: { organizationId, plan: PLAN },
    });
    const appended = await append(organizationId, 0, planned);
    await saveSnapshot(db, {
      streamId: organizationBillingStreamId(organizationId),
      version: 1,
      schemaVersion: BILLING_STATE_SCHEMA_VERSION,
      state: encodeBillingState(foldOrganizationBilling(planned)),
    });

    const loaded = await activities.loadOrganizationBilling({ organizationId });

    expect(loaded).toMatchObject({ version: 1, lastPosition: appended.lastPosition.toString() });
    expect(decodeBillingState(loaded.state)).toEqual(foldOrganizationBilling(planned));
  });
});

describe('a usage batch retried after its first try committed', () => {
  it("answers that try's append to the same command, and plain duplicates to any other", async () => {
    const organizationId = randomUUID();
    const planned = decided(foldOrganizationBilling([]), {
      type: 'SetBillingPlan',
      data: { organizationId, plan: PLAN },
    });
    await append(organizationId, 0, planned);
    const commandId = randomUUID();
    const used = decided(foldOrganizationBilling(planned), {
      type: 'RecordUsage',
      data: {
        organizationId,
        records: ['r1', 'r2'].map((recordId) => ({
          recordId,
          organizationId,
          meter: 'cpu',
          quantity: '1',
          occurredAt: NOW,
        })),
      },
    });
    const appended = await append(organizationId, 1, used, commandId);

    const again = await activities.loadOrganizationBilling({ organizationId, recordIds: ['r1', 'r2'], commandId });
    const other = await activities.loadOrganizationBilling({
      organizationId,
      recordIds: ['r1', 'r2'],
      commandId: randomUUID(),
    });

    expect(again.ownUsageAppend).toEqual({
      version: 2,
      position: appended.lastPosition.toString(),
      accepted: 2,
      duplicates: 0,
    });
    expect(other.ownUsageAppend).toBeUndefined();
    expect(other.alreadyAccepted.sort()).toEqual(['r1', 'r2']);
  });
});

describe('closing a cycle and issuing its invoice', () => {
  async function closedCycle() {
    const organizationId = randomUUID();
    const planned = decided(foldOrganizationBilling([]), {
      type: 'SetBillingPlan',
      data: { organizationId, plan: PLAN },
    });
    await append(organizationId, 0, planned);
    const used = decided(foldOrganizationBilling(planned), usage(organizationId, 'r1', '250'));
    await append(organizationId, 1, used);
    const loaded = await activities.loadOrganizationBilling({ organizationId });
    const state = decodeBillingState(loaded.state);
    const closed = decideOrganizationBilling(
      state,
      { type: 'CloseBillingCycle', data: { organizationId, cycleSequence: 1 } },
      { now: new Date(Date.now() + 1_000).toISOString(), deriveId: () => loaded.currentCycleInvoiceId ?? '' },
    );
    if (isDomainError(closed)) throw closed;
    const closeCommandId = randomUUID();
    await append(organizationId, 2, closed, closeCommandId);
    return { organizationId, invoiceId: loaded.currentCycleInvoiceId, closeCommandId };
  }

  const context = () => ({ commandId: randomUUID(), correlationId: randomUUID(), causationId: 'test', userId: 'test' });

  it("names the current cycle's invoice with a UUIDv5 that every load repeats", async () => {
    const { organizationId, invoiceId } = await closedCycle();

    expect(invoiceId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const next = await activities.loadOrganizationBilling({ organizationId });
    expect(next.currentCycleInvoiceId).not.toBe(invoiceId);
    expect((await activities.loadOrganizationBilling({ organizationId })).currentCycleInvoiceId).toBe(
      next.currentCycleInvoiceId,
    );
  });

  it('issues the invoice of the stored close once, whoever asks and however often', async () => {
    const { organizationId, invoiceId } = await closedCycle();

    const answers = await Promise.all(
      [context(), context(), context()].map((ctx) =>
        activities.issueCycleInvoice({ organizationId, cycleSequence: 1, context: ctx }),
      ),
    );
    const repeated = await activities.issueCycleInvoice({ organizationId, cycleSequence: 1, context: context() });

    for (const answer of [...answers, repeated]) expect(answer).toMatchObject({ invoiceId, paymentStarted: false });
    const stored = await db
      .selectFrom('events')
      .select(['type', 'data', 'stream_version'])
      .where('stream_id', '=', `invoice-${invoiceId}`)
      .execute();
    // One event, one version: three concurrent issuers and a repeat appended it once.
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      type: 'InvoiceIssued',
      stream_version: 1,
      data: { invoiceId, organizationId, cycleSequence: 1, total: '2.50', lines: [{ meter: 'cpu', amount: '2.50' }] },
    });
  });

  it('names the cycle a close command closed already, so its retry stays pinned to it', async () => {
    const { organizationId, closeCommandId } = await closedCycle();

    const retried = await activities.loadOrganizationBilling({
      organizationId,
      commandId: closeCommandId,
      closing: true,
    });
    const other = await activities.loadOrganizationBilling({ organizationId, commandId: randomUUID(), closing: true });

    expect(retried.ownClose).toEqual({ cycleSequence: 1 });
    expect(decodeBillingState(retried.state)).toMatchObject({ cycle: { sequence: 2 } });
    expect(other.ownClose).toBeUndefined();
  });

  it('reports the cycles closed after the settled one, and the current cycle', async () => {
    const { organizationId } = await closedCycle();

    const fresh = await activities.billingCycleProgress({ organizationId, settledThrough: 0 });
    const settled = await activities.billingCycleProgress({ organizationId, settledThrough: 1 });

    expect(fresh.closedAfter.map((cycle) => cycle.sequence)).toEqual([1]);
    expect(settled.closedAfter).toEqual([]);
    expect(settled.cycle).toMatchObject({ sequence: 2 });
    expect(await activities.billingCycleProgress({ organizationId: randomUUID(), settledThrough: 0 })).toEqual({
      cycle: null,
      closedAfter: [],
    });
  });
});
