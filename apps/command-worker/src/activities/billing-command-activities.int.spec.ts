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
import { BILLING_STATE_SCHEMA_VERSION, decodeBillingState, encodeBillingState } from '../workflows/billing-state-codec';
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
async function append(organizationId: string, version: number, events: OrganizationBillingEvent[]) {
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
        metadata: { organizationId },
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
      organizationId: `org-${randomUUID()}`,
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
    const organizationId = `org-${randomUUID()}`;
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
    const organizationId = `org-${randomUUID()}`;
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
    const organizationId = `org-${randomUUID()}`;
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
