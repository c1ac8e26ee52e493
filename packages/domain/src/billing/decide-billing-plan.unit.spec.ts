import { DEFAULT_DUNNING_WAITS } from './plan';
import {
  FEB_28,
  ORG_ID,
  OTHER_ORG_ID,
  plus,
  DAY,
  record,
  recordUsage,
  setPlan,
  T0,
  planInput,
  closeCycle,
  MAR_31,
} from './test-support/fixtures';
import { billingHistory, givenBilling, paths } from './test-support/given';

const canonicalPlan = {
  currency: 'EUR',
  cycle: 'P1M',
  baseFee: '10.00',
  meters: {
    cpu_seconds: { unitPrice: '0.000012', aggregation: 'sum' },
    requests: { unitPrice: '0.0001', aggregation: 'count' },
    seats: { unitPrice: '5.00', aggregation: 'max' },
  },
  dunning: [...DEFAULT_DUNNING_WAITS],
} as const;

describe('SetBillingPlan', () => {
  it('the first plan starts the first cycle now, effective at once', () => {
    const state = givenBilling()
      .when(setPlan())
      .then({
        type: 'BillingPlanSet',
        data: {
          organizationId: ORG_ID,
          plan: { ...canonicalPlan, meters: { ...canonicalPlan.meters }, dunning: [...canonicalPlan.dunning] },
          effectiveFrom: T0,
          firstCycle: { sequence: 1, start: T0, end: FEB_28, anchor: T0, periodsFromAnchor: 1 },
          occurredAt: T0,
        },
      });
    expect(state).toMatchObject({
      kind: 'billing',
      version: 1,
      cycle: { sequence: 1, startMs: Date.parse(T0), endMs: Date.parse(FEB_28) },
      pendingPlan: null,
    });
  });

  it('rejects an invalid plan with every field error, paths into the plan', () => {
    const error = givenBilling()
      .when(setPlan({ currency: 'XXX', cycle: 'P2Y', dunning: ['soon'] }))
      .thenFails('VALIDATION');
    expect(paths(error)).toEqual(['/currency', '/cycle', '/dunning/0']);
  });

  it('rejects a plan for another organization than the stream holds', () => {
    const error = givenBilling(...billingHistory([setPlan(), T0]))
      .when(setPlan({}, OTHER_ORG_ID), plus(T0, DAY))
      .thenFails('VALIDATION');
    expect(paths(error)).toEqual(['/organizationId']);
  });

  it('a change takes effect at the next cycle start: the plan in force stays until then', () => {
    const history = billingHistory([setPlan(), T0]);
    const state = givenBilling(...history)
      .when(setPlan({ baseFee: '20.00' }), plus(T0, DAY))
      .then({
        type: 'BillingPlanSet',
        data: {
          organizationId: ORG_ID,
          plan: {
            ...canonicalPlan,
            baseFee: '20.00',
            meters: { ...canonicalPlan.meters },
            dunning: [...canonicalPlan.dunning],
          },
          effectiveFrom: FEB_28,
          firstCycle: null,
          occurredAt: plus(T0, DAY),
        },
      });
    expect(state.kind === 'billing' && [state.plan.baseFee, state.pendingPlan?.baseFee]).toEqual(['10.00', '20.00']);
  });

  it('the pending plan is in force from the next cycle on', () => {
    const state = givenBilling(
      ...billingHistory([setPlan(), T0], [setPlan({ baseFee: '20.00', cycle: 'P1D' }), plus(T0, DAY)]),
    )
      .when(closeCycle(1), FEB_28)
      .thenState();
    expect(state.kind === 'billing' && [state.plan.baseFee, state.plan.cycle, state.pendingPlan]).toEqual([
      '20.00',
      'P1D',
      null,
    ]);
  });

  it('putting the same plan again changes nothing, however it is spelled', () => {
    givenBilling(...billingHistory([setPlan(), T0]))
      .when(setPlan({ cycle: 'P01M', baseFee: '10.0' }), plus(T0, DAY))
      .then();
    givenBilling(...billingHistory([setPlan(), T0], [setPlan({ baseFee: '20' }), plus(T0, DAY)]))
      .when(setPlan({ baseFee: '20.00' }), plus(T0, 2 * DAY))
      .then();
  });

  it('putting the plan in force again cancels a waiting change', () => {
    const state = givenBilling(...billingHistory([setPlan(), T0], [setPlan({ baseFee: '20' }), plus(T0, DAY)]))
      .when(setPlan(), plus(T0, 2 * DAY))
      .thenState();
    expect(state.kind === 'billing' && state.pendingPlan).toBeNull();
  });

  it('refuses to drop a meter that already has usage recorded for the next cycle', () => {
    // Feb 28 at 00:02: the cycle's close is due; a record of 00:01 belongs to the next cycle.
    const history = billingHistory(
      [setPlan(), T0],
      [
        recordUsage([record({ meter: 'seats', quantity: '2', occurredAt: plus(FEB_28, 60_000) })]),
        plus(FEB_28, 120_000),
      ],
    );
    const { seats: _dropped, ...others } = planInput().meters;
    givenBilling(...history)
      .when(setPlan({ meters: others }), plus(FEB_28, 180_000))
      .thenFails('CONFLICT', /usage of meter seats is already recorded for the next cycle/);
    // A plan that keeps the meter is fine.
    givenBilling(...history)
      .when(setPlan({ baseFee: '1.00' }), plus(FEB_28, 180_000))
      .events();
  });

  it('anchors monthly cycles on the first start: Jan 31, Feb 28, Mar 31', () => {
    const state = givenBilling(...billingHistory([setPlan(), T0], [closeCycle(1), FEB_28]))
      .when(closeCycle(2), MAR_31)
      .thenState();
    expect(
      state.kind === 'billing' && [
        new Date(state.cycle.startMs).toISOString(),
        new Date(state.cycle.endMs).toISOString(),
      ],
    ).toEqual([MAR_31, '2025-04-30T00:00:00.000Z']);
  });
});
