import type { RecordedUsage } from './organization-billing';
import {
  closeCycle,
  FEB_28,
  HOUR,
  MINUTE,
  ORG_ID,
  OTHER_ORG_ID,
  plus,
  record,
  recordUsage,
  setPlan,
  T0,
  DAY,
} from './test-support/fixtures';
import { billingHistory, givenBilling, paths } from './test-support/given';

const NOW = plus(T0, 10 * DAY);
const planned = () => billingHistory([setPlan(), T0]);
const recorded = (over: Partial<RecordedUsage>): RecordedUsage => ({
  recordId: 'r-1',
  meter: 'cpu_seconds',
  quantity: '1',
  occurredAt: NOW,
  resourceId: null,
  properties: {},
  placement: 'current',
  ...over,
});

describe('RecordUsage', () => {
  it('refuses usage before the organization has a plan (409)', () => {
    givenBilling()
      .when(recordUsage([record()]), NOW)
      .thenFails('CONFLICT', `organization ${ORG_ID} has no billing plan: set one before recording usage`);
  });

  it('accepts a batch into the current cycle: canonical quantities and instants, optional fields kept', () => {
    const state = givenBilling(...planned())
      .when(
        recordUsage([
          record({
            recordId: 'r-1',
            quantity: '0012.50',
            occurredAt: '2025-02-05T01:00:00+01:00',
            resourceId: 'vm-7',
            properties: { region: 'eu' },
          }),
          record({ recordId: 'r-2', meter: 'seats', quantity: '3', occurredAt: NOW }),
        ]),
        NOW,
      )
      .then({
        type: 'UsageRecorded',
        data: {
          organizationId: ORG_ID,
          cycleSequence: 1,
          records: [
            recorded({
              recordId: 'r-1',
              quantity: '12.5',
              occurredAt: '2025-02-05T00:00:00.000Z',
              resourceId: 'vm-7',
              properties: { region: 'eu' },
            }),
            recorded({ recordId: 'r-2', meter: 'seats', quantity: '3' }),
          ],
          duplicates: 0,
          occurredAt: NOW,
        },
      });
    expect(state.kind === 'billing' && Object.fromEntries(state.usage)).toEqual({
      cpu_seconds: { count: 1, sum: 12_500_000_000_000n, max: 12_500_000_000_000n },
      seats: { count: 1, sum: 3_000_000_000_000n, max: 3_000_000_000_000n },
    });
  });

  it('counts and skips records already accepted (as the caller reports) and repeats within the batch', () => {
    const decided = givenBilling(...planned())
      .when(
        recordUsage([
          record({ recordId: 'old' }),
          record({ recordId: 'new', occurredAt: NOW }),
          record({ recordId: 'new', quantity: '99', occurredAt: NOW }),
        ]),
        NOW,
        ['old'],
      )
      .events();
    expect(decided).toHaveLength(1);
    expect(
      decided[0]?.type === 'UsageRecorded' && [
        decided[0].data.records.map((r) => [r.recordId, r.quantity]),
        decided[0].data.duplicates,
      ],
    ).toEqual([[['new', '1']], 2]);
  });

  it('decides nothing when every record is a duplicate', () => {
    givenBilling(...planned())
      .when(recordUsage([record({ recordId: 'a' }), record({ recordId: 'b' })]), NOW, ['a', 'b'])
      .then();
  });

  it('validates the batch whole: one bad record rejects it, named by its index, and nothing is recorded', () => {
    const error = givenBilling(...planned())
      .when(
        recordUsage([
          record({ occurredAt: NOW }),
          record({ quantity: '1.0000000000001', occurredAt: NOW }),
          record({ meter: 'gpu', occurredAt: NOW }),
        ]),
        NOW,
      )
      .thenFails('VALIDATION');
    expect(error.errors).toEqual([{ path: '/records/1/quantity', message: 'quantity takes at most 12 decimals' }]);
  });

  it('rejects a meter that is not in the plan, naming the record', () => {
    const error = givenBilling(...planned())
      .when(recordUsage([record({ occurredAt: NOW }), record({ meter: 'gpu_hours', occurredAt: NOW })]), NOW)
      .thenFails('VALIDATION');
    expect(error.errors).toEqual([
      { path: '/records/1/meter', message: "is not a meter of the organization's billing plan" },
    ]);
  });

  it('lets a duplicate through even when its meter has left the plan: it only counts', () => {
    givenBilling(...planned())
      .when(recordUsage([record({ recordId: 'gone', meter: 'gpu_hours' })]), NOW, ['gone'])
      .then();
  });

  it('rejects records before billing started and records in the future (past a 5-minute clock skew)', () => {
    const error = givenBilling(...planned())
      .when(
        recordUsage([
          record({ occurredAt: plus(T0, -1) }),
          record({ occurredAt: plus(NOW, 5 * MINUTE) }),
          record({ occurredAt: plus(NOW, 5 * MINUTE + 1) }),
        ]),
        NOW,
      )
      .thenFails('VALIDATION');
    expect(error.errors).toEqual([
      { path: '/records/0/occurredAt', message: `is before billing started for this organization (${T0})` },
      { path: '/records/2/occurredAt', message: 'is in the future' },
    ]);
  });

  it("rejects another organization's records in the batch", () => {
    const error = givenBilling(...planned())
      .when(recordUsage([record({ occurredAt: NOW }), record({ organizationId: OTHER_ORG_ID, occurredAt: NOW })]), NOW)
      .thenFails('VALIDATION');
    expect(paths(error)).toEqual(['/records/1/organizationId']);
  });

  it('takes 1 to 1,000 records', () => {
    expect(
      paths(
        givenBilling(...planned())
          .when(recordUsage([]), NOW)
          .thenFails('VALIDATION'),
      ),
    ).toEqual(['/records']);
    const many = Array.from({ length: 1001 }, () => record({ occurredAt: NOW }));
    expect(
      paths(
        givenBilling(...planned())
          .when(recordUsage(many), NOW)
          .thenFails('VALIDATION'),
      ),
    ).toEqual(['/records']);
  });

  it('places a record whose cycle is already closed as late: it goes on the next invoice', () => {
    const history = billingHistory([setPlan(), T0], [closeCycle(1), plus(FEB_28, HOUR)]);
    const events = givenBilling(...history)
      .when(recordUsage([record({ recordId: 'late', occurredAt: plus(FEB_28, -DAY) })]), plus(FEB_28, 2 * HOUR))
      .events();
    expect(events[0]?.type === 'UsageRecorded' && events[0].data.records.map((r) => r.placement)).toEqual(['late']);
  });

  it('places a record past the current cycle end, before its close, ahead: it waits for its own cycle', () => {
    const state = givenBilling(...planned())
      .when(
        recordUsage([record({ recordId: 'ahead', quantity: '4', occurredAt: plus(FEB_28, MINUTE) })]),
        plus(FEB_28, 2 * MINUTE),
      )
      .thenState();
    expect(state.kind === 'billing' && [state.usage.size, state.ahead]).toEqual([
      0,
      [{ meter: 'cpu_seconds', quantity: 4_000_000_000_000n, occurredAtMs: Date.parse(FEB_28) + MINUTE }],
    ]);
  });

  it('checks an ahead record against the plan of the next cycle', () => {
    const history = billingHistory(
      [setPlan(), T0],
      [setPlan({ meters: { gpu_hours: { unitPrice: '2', aggregation: 'sum' } } }), plus(T0, DAY)],
    );
    const at = plus(FEB_28, 2 * MINUTE);
    givenBilling(...history)
      .when(recordUsage([record({ meter: 'gpu_hours', occurredAt: plus(FEB_28, MINUTE) })]), at)
      .events();
    expect(
      paths(
        givenBilling(...history)
          .when(recordUsage([record({ meter: 'gpu_hours', occurredAt: plus(FEB_28, -MINUTE) })]), at)
          .thenFails('VALIDATION'),
      ),
    ).toEqual(['/records/0/meter']);
  });
});
