import {
  decideOrganizationBilling,
  foldOrganizationBilling,
  initialOrganizationBillingState,
  isDomainError,
  type BillingOrganizationState,
  type OrganizationBillingState,
} from '@gyroscops/domain';
import { decodeBillingState, encodeBillingState } from './billing-state-codec';

/** Through JSON text, as a snapshot row and an activity's payload carry it. */
const roundTrip = (state: OrganizationBillingState) =>
  decodeBillingState(JSON.parse(JSON.stringify(encodeBillingState(state))) as ReturnType<typeof encodeBillingState>);

const ORG = 'org-codec';
const NOW = '2025-03-01T00:00:00.000Z';
const deriveId = (name: string) => name;

function billedState(): BillingOrganizationState {
  const plan = decideOrganizationBilling(
    initialOrganizationBillingState,
    {
      type: 'SetBillingPlan',
      data: {
        organizationId: ORG,
        plan: {
          currency: 'EUR',
          cycle: 'P1M',
          baseFee: '10.00',
          meters: {
            cpu: { unitPrice: '0.000012', aggregation: 'sum' },
            'egress.gb': { unitPrice: '0.05', aggregation: 'max' },
          },
        },
      },
    },
    { now: NOW, deriveId },
  );
  if (isDomainError(plan)) throw plan;
  const afterPlan = foldOrganizationBilling(plan);
  const usage = decideOrganizationBilling(
    afterPlan,
    {
      type: 'RecordUsage',
      data: {
        organizationId: ORG,
        records: [
          {
            recordId: 'a',
            organizationId: ORG,
            meter: 'cpu',
            quantity: '999999999999999.999999999999',
            occurredAt: NOW,
          },
          { recordId: 'b', organizationId: ORG, meter: 'egress.gb', quantity: '0.000000000001', occurredAt: NOW },
        ],
      },
    },
    { now: NOW, deriveId },
  );
  if (isDomainError(usage)) throw usage;
  return foldOrganizationBilling(usage, afterPlan) as BillingOrganizationState;
}

describe('billing state codec', () => {
  it('round-trips the absent state', () => {
    expect(roundTrip(initialOrganizationBillingState)).toEqual(initialOrganizationBillingState);
  });

  it('round-trips a state with usage, keeping bigints exact and maps as maps', () => {
    const state = billedState();
    const decoded = roundTrip(state);

    expect(decoded).toEqual(state);
    expect(decoded.kind === 'billing' && decoded.usage.get('cpu')?.sum).toBe(999_999_999_999_999_999_999_999_999n);
    expect(decoded.kind === 'billing' && decoded.usage).toBeInstanceOf(Map);
  });

  it('round-trips late usage, usage ahead of the cycle, a pending plan and the last invoice number', () => {
    const base = billedState();
    const state: BillingOrganizationState = {
      ...base,
      pendingPlan: { ...base.plan, baseFee: null },
      late: new Map([['cpu', { count: 2, sum: 3n, max: 2n }]]),
      ahead: [{ meter: 'egress.gb', quantity: 12_000_000_000_000n, occurredAtMs: Date.parse(NOW) + 1 }],
      lastInvoiceNumber: { year: 2025, sequence: 7 },
    };

    expect(roundTrip(state)).toEqual(state);
  });

  it('decodes states that fold on exactly like the original', () => {
    const state = billedState();
    const next = decideOrganizationBilling(
      roundTrip(state),
      {
        type: 'RecordUsage',
        data: {
          organizationId: ORG,
          records: [{ recordId: 'c', organizationId: ORG, meter: 'cpu', quantity: '1', occurredAt: NOW }],
        },
      },
      { now: NOW, deriveId },
    );
    if (isDomainError(next)) throw next;
    expect(foldOrganizationBilling(next, roundTrip(state))).toEqual(foldOrganizationBilling(next, state));
  });
});
