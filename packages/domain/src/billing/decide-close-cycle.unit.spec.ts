import type { OrganizationBillingEvent, OrganizationBillingEventOf } from './organization-billing';
import {
  closeCycle,
  DAY,
  FEB_28,
  HOUR,
  invoiceIdOf,
  MAR_31,
  MINUTE,
  ORG_ID,
  plus,
  record,
  recordUsage,
  setPlan,
  T0,
} from './test-support/fixtures';
import { billingHistory, givenBilling } from './test-support/given';

type Closed = OrganizationBillingEventOf<'BillingCycleClosed'>;
const closedOf = (events: OrganizationBillingEvent[]): Closed['data'] => {
  const closed = events.find((e): e is Closed => e.type === 'BillingCycleClosed');
  if (!closed) throw new Error(`no BillingCycleClosed in ${JSON.stringify(events)}`);
  return closed.data;
};
const mid = plus(T0, 10 * DAY);

describe('CloseBillingCycle', () => {
  it('needs a plan: without one there is no cycle (404)', () => {
    givenBilling()
      .when(closeCycle(), FEB_28)
      .thenFails('NOT_FOUND', `organization ${ORG_ID} has no billing plan, so no billing cycle`);
  });

  it("closes at the cycle's end when its timer fires: one invoice with the base fee and the priced usage", () => {
    const history = billingHistory(
      [setPlan(), T0],
      [
        recordUsage([
          record({ quantity: '1000000', occurredAt: mid }),
          record({ meter: 'seats', quantity: '3', occurredAt: mid }),
          record({ meter: 'seats', quantity: '2', occurredAt: mid }),
        ]),
        mid,
      ],
    );
    givenBilling(...history)
      .when(closeCycle(1), plus(FEB_28, 250))
      .then({
        type: 'BillingCycleClosed',
        data: {
          organizationId: ORG_ID,
          cycleSequence: 1,
          periodStart: T0,
          periodEnd: FEB_28,
          invoice: {
            invoiceId: invoiceIdOf(1),
            number: '2025-000001',
            currency: 'EUR',
            lines: [
              { kind: 'base_fee', meter: null, quantity: '1', unitPrice: '10.00', amount: '10.00', late: false },
              {
                kind: 'usage',
                meter: 'cpu_seconds',
                quantity: '1000000',
                unitPrice: '0.000012',
                amount: '12.00',
                late: false,
              },
              { kind: 'usage', meter: 'seats', quantity: '3', unitPrice: '5.00', amount: '15.00', late: false },
            ],
            total: '37.00',
            dunning: ['P1D', 'P3D', 'P7D'],
          },
          nextCycle: { sequence: 2, start: FEB_28, end: MAR_31, anchor: T0, periodsFromAnchor: 2 },
          occurredAt: plus(FEB_28, 250),
        },
      });
  });

  it('issues no invoice for an empty cycle without a base fee, and that cycle takes no number', () => {
    const history = billingHistory([setPlan({ baseFee: null }), T0], [closeCycle(1), FEB_28]);
    expect(closedOf(history).invoice).toBeNull();
    const next = givenBilling(
      ...billingHistory(
        [setPlan({ baseFee: null }), T0],
        [closeCycle(1), FEB_28],
        [recordUsage([record({ occurredAt: plus(FEB_28, DAY) })]), plus(FEB_28, DAY)],
      ),
    )
      .when(closeCycle(2), MAR_31)
      .events();
    expect(closedOf(next).invoice).toMatchObject({ number: '2025-000001', invoiceId: invoiceIdOf(2), total: '0.00' });
  });

  it('invoices an empty cycle that has a base fee: the fee alone', () => {
    expect(
      closedOf(
        givenBilling(...billingHistory([setPlan(), T0]))
          .when(closeCycle(1), FEB_28)
          .events(),
      ).invoice,
    ).toMatchObject({ total: '10.00', lines: [{ kind: 'base_fee', amount: '10.00' }] });
  });

  it('bills late usage on the next invoice, on lines marked late', () => {
    const history = billingHistory(
      [setPlan({ baseFee: null }), T0],
      [closeCycle(1), FEB_28],
      [
        recordUsage([
          record({ quantity: '500000', occurredAt: mid }),
          record({ quantity: '250000', occurredAt: plus(FEB_28, DAY) }),
        ]),
        plus(FEB_28, 2 * DAY),
      ],
    );
    expect(
      closedOf(
        givenBilling(...history)
          .when(closeCycle(2), MAR_31)
          .events(),
      ).invoice?.lines,
    ).toEqual([
      { kind: 'usage', meter: 'cpu_seconds', quantity: '250000', unitPrice: '0.000012', amount: '3.00', late: false },
      { kind: 'usage', meter: 'cpu_seconds', quantity: '500000', unitPrice: '0.000012', amount: '6.00', late: true },
    ]);
  });

  it('bills usage recorded ahead of a due close in the cycle that contains it', () => {
    const history = billingHistory(
      [setPlan({ baseFee: null }), T0],
      [
        recordUsage([
          record({ quantity: '100000', occurredAt: plus(FEB_28, -MINUTE) }),
          record({ quantity: '200000', occurredAt: plus(FEB_28, MINUTE) }),
        ]),
        plus(FEB_28, 2 * MINUTE),
      ],
      [closeCycle(1), plus(FEB_28, 3 * MINUTE)],
    );
    expect(closedOf(history).invoice?.lines.map((l) => l.quantity)).toEqual(['100000']);
    const second = closedOf(
      givenBilling(...history)
        .when(closeCycle(2), MAR_31)
        .events(),
    );
    expect(second.invoice?.lines).toEqual([
      { kind: 'usage', meter: 'cpu_seconds', quantity: '200000', unitPrice: '0.000012', amount: '2.40', late: false },
    ]);
  });

  it('closes early at now when an admin asks, never before a record it bills, and re-anchors the next cycle', () => {
    const now = plus(T0, 5 * DAY);
    const early = closedOf(
      givenBilling(...billingHistory([setPlan(), T0]))
        .when(closeCycle(), now)
        .events(),
    );
    expect([early.periodEnd, early.nextCycle]).toEqual([
      now,
      { sequence: 2, start: now, end: '2025-03-05T00:00:00.000Z', anchor: now, periodsFromAnchor: 1 },
    ]);
    // A record 2 minutes ahead of our clock (within the skew) keeps the period open until just after it.
    const ahead = plus(now, 2 * MINUTE);
    const withRecord = billingHistory([setPlan(), T0], [recordUsage([record({ occurredAt: ahead })]), now]);
    expect(
      closedOf(
        givenBilling(...withRecord)
          .when(closeCycle(), now)
          .events(),
      ).periodEnd,
    ).toBe(plus(ahead, 1));
  });

  it('is idempotent per cycle: closing a cycle that is already closed decides nothing', () => {
    givenBilling(...billingHistory([setPlan(), T0], [closeCycle(1), FEB_28]))
      .when(closeCycle(1), plus(FEB_28, HOUR))
      .then();
  });

  it('refuses to close a cycle that has not started, or one that has only just started', () => {
    givenBilling(...billingHistory([setPlan(), T0]))
      .when(closeCycle(2), FEB_28)
      .thenFails('CONFLICT', /billing cycle 2 has not started/);
    givenBilling(...billingHistory([setPlan(), T0]))
      .when(closeCycle(1), T0)
      .thenFails('CONFLICT', /only just started/);
  });

  it('derives the invoice id from the organization and the cycle: a retried close names the same invoice', () => {
    const history = billingHistory([setPlan(), T0]);
    const first = closedOf(
      givenBilling(...history)
        .when(closeCycle(1), FEB_28)
        .events(),
    );
    const retried = closedOf(
      givenBilling(...history)
        .when(closeCycle(1), plus(FEB_28, MINUTE))
        .events(),
    );
    expect(retried.invoice?.invoiceId).toBe(first.invoice?.invoiceId);
    expect(first.invoice?.invoiceId).toBe(invoiceIdOf(1));
  });

  it('numbers invoices gap-free per organization, restarting the sequence each year', () => {
    // Monthly from September 30th: the cycles end on Oct 30, Nov 30, Dec 30, Jan 30 and Feb 28.
    const closes = ['2025-10-30', '2025-11-30', '2025-12-30', '2026-01-30', '2026-02-28'].map(
      (day, i): [ReturnType<typeof closeCycle>, string] => [closeCycle(i + 1), `${day}T00:00:00.000Z`],
    );
    const numbers = billingHistory([setPlan(), '2025-09-30T00:00:00.000Z'], ...closes).flatMap((e) =>
      e.type === 'BillingCycleClosed' && e.data.invoice ? [e.data.invoice.number] : [],
    );
    expect(numbers).toEqual(['2025-000001', '2025-000002', '2025-000003', '2026-000001', '2026-000002']);
  });
});
