import type { InvoiceEvent, InvoiceEventOf } from './invoice';
import { issueInvoiceCommand, type InvoiceCommand } from './invoice-commands';
import type { OrganizationBillingEventOf } from './organization-billing';
import { toInvoiceView } from './invoice-view';
import {
  approve,
  closeCycle,
  DAY,
  decline,
  FEB_28,
  invoiceIdOf,
  ORG_ID,
  plus,
  refundInvoice,
  setPlan,
  startPayment,
  T0,
  voidInvoice,
} from './test-support/fixtures';
import { billingHistory, givenInvoice, paths } from './test-support/given';

const INVOICE_ID = invoiceIdOf(1);
const NOW = plus(FEB_28, 1000);
const LATER = plus(NOW, DAY);

/** The IssueInvoice command of the first cycle's close under a plan (a 10.00 base fee by default). */
function issueCommand(plan: Parameters<typeof setPlan>[0] = {}): InvoiceCommand {
  const closed = billingHistory([setPlan(plan), T0], [closeCycle(1), FEB_28]).find(
    (e): e is OrganizationBillingEventOf<'BillingCycleClosed'> => e.type === 'BillingCycleClosed',
  );
  const command = closed && issueInvoiceCommand(closed);
  if (!command) throw new Error('the close issued no invoice');
  return command;
}

const issued = (plan: Parameters<typeof setPlan>[0] = {}): InvoiceEvent => {
  const command = issueCommand(plan);
  if (command.type !== 'IssueInvoice') throw new Error('unreachable');
  return { type: 'InvoiceIssued', data: { ...command.data, occurredAt: FEB_28 } };
};
const started = (paymentId: string, attempt: number, at = NOW): InvoiceEvent => ({
  type: 'InvoicePaymentStarted',
  data: { invoiceId: INVOICE_ID, paymentId, attempt, amount: '10.00', occurredAt: at },
});
const failed = (paymentId: string, attempt: number, nextAttemptAt: string | null, at = NOW): InvoiceEvent => ({
  type: 'InvoicePaymentFailed',
  data: { invoiceId: INVOICE_ID, paymentId, reason: 'card_declined', attempt, nextAttemptAt, occurredAt: at },
});
const paid = (paymentId: string): InvoiceEvent => ({
  type: 'InvoicePaid',
  data: { invoiceId: INVOICE_ID, paymentId, amount: '10.00', occurredAt: NOW },
});
const uncollectible = (attempts: number): InvoiceEventOf<'InvoiceUncollectible'> => ({
  type: 'InvoiceUncollectible',
  data: { invoiceId: INVOICE_ID, attempts, occurredAt: NOW },
});

describe('IssueInvoice', () => {
  it('issues the invoice a close decided: open, with its lines, total and dunning', () => {
    const state = givenInvoice().when(issueCommand(), FEB_28).then(issued());
    expect(toInvoiceView(state)).toEqual({
      invoiceId: INVOICE_ID,
      organizationId: ORG_ID,
      number: '2025-000001',
      status: 'open',
      currency: 'EUR',
      periodStart: T0,
      periodEnd: FEB_28,
      lines: [{ kind: 'base_fee', meter: null, quantity: '1', unitPrice: '10.00', amount: '10.00', late: false }],
      total: '10.00',
      amountPaid: '0.00',
      amountRefunded: '0.00',
      paymentIds: [],
      attempts: 0,
      nextAttemptAt: null,
      issuedAt: FEB_28,
      paidAt: null,
      version: 1,
    });
  });

  it('is idempotent: issuing the same invoice again decides nothing; another one with its id conflicts', () => {
    givenInvoice(issued()).when(issueCommand(), NOW).then();
    const other = issueCommand();
    if (other.type !== 'IssueInvoice') throw new Error('unreachable');
    givenInvoice(issued())
      .when({ ...other, data: { ...other.data, number: '2025-000009' } }, NOW)
      .thenFails('CONFLICT', /already exists/);
  });

  it('refuses a total that is not the sum of the lines', () => {
    const command = issueCommand();
    if (command.type !== 'IssueInvoice') throw new Error('unreachable');
    expect(
      paths(
        givenInvoice()
          .when({ ...command, data: { ...command.data, total: '10.01' } }, NOW)
          .thenFails('VALIDATION'),
      ),
    ).toEqual(['/total']);
  });

  it('treats a zero total as paid at issue: there is nothing to collect', () => {
    // Usage of a free meter: the cycle is not empty, so it is invoiced, for 0.00.
    const command = issueCommand();
    if (command.type !== 'IssueInvoice') throw new Error('unreachable');
    const free = {
      kind: 'usage' as const,
      meter: 'free',
      quantity: '12',
      unitPrice: '0.00',
      amount: '0.00',
      late: false,
    };
    const zero: InvoiceCommand = { ...command, data: { ...command.data, lines: [free], total: '0.00' } };
    expect(givenInvoice().when(zero, FEB_28).thenState()).toMatchObject({ status: 'paid', paidAt: FEB_28 });
  });
});

describe('paying an invoice', () => {
  it('starts a payment of the outstanding amount; the same payment again decides nothing', () => {
    const state = givenInvoice(issued()).when(startPayment(INVOICE_ID, 'pay-1'), NOW).then(started('pay-1', 1));
    expect(state).toMatchObject({ status: 'open', attempts: 1, paymentInFlight: 'pay-1', paymentIds: ['pay-1'] });
    givenInvoice(issued(), started('pay-1', 1)).when(startPayment(INVOICE_ID, 'pay-1'), NOW).then();
  });

  it('refuses a second payment while one is under way, a reused payment id, and an unknown invoice', () => {
    givenInvoice(issued(), started('pay-1', 1))
      .when(startPayment(INVOICE_ID, 'pay-2'), NOW)
      .thenFails('CONFLICT', /pay-1 .* is under way/);
    givenInvoice(issued(), started('pay-1', 1), failed('pay-1', 1, plus(NOW, DAY)))
      .when(startPayment(INVOICE_ID, 'pay-1'), NOW)
      .thenFails('CONFLICT', /already made/);
    givenInvoice()
      .when(startPayment(INVOICE_ID, 'pay-1'), NOW)
      .thenFails('NOT_FOUND', `invoice ${INVOICE_ID} not found`);
    expect(paths(givenInvoice(issued()).when(startPayment(INVOICE_ID, ''), NOW).thenFails('VALIDATION'))).toEqual([
      '/paymentId',
    ]);
  });

  it('an approved payment makes it paid; the retried result decides nothing', () => {
    const state = givenInvoice(issued(), started('pay-1', 1))
      .when(approve(INVOICE_ID, 'pay-1'), NOW)
      .then(paid('pay-1'));
    expect(toInvoiceView(state)).toMatchObject({
      status: 'paid',
      amountPaid: '10.00',
      paidAt: NOW,
      nextAttemptAt: null,
    });
    givenInvoice(issued(), started('pay-1', 1), paid('pay-1')).when(approve(INVOICE_ID, 'pay-1'), NOW).then();
    givenInvoice(issued(), started('pay-1', 1), paid('pay-1'))
      .when(startPayment(INVOICE_ID, 'pay-2'), NOW)
      .thenFails('CONFLICT', /already paid/);
  });

  it('refuses the result of a payment that is not under way', () => {
    givenInvoice(issued())
      .when(approve(INVOICE_ID, 'pay-9'), NOW)
      .thenFails('CONFLICT', /no payment pay-9 is under way/);
  });
});

describe('dunning', () => {
  it('a declined payment makes it past due and schedules the next attempt after the next wait: P1D, P3D, P7D', () => {
    const t1 = NOW;
    givenInvoice(issued(), started('p1', 1, t1))
      .when(decline(INVOICE_ID, 'p1'), t1)
      .then(failed('p1', 1, plus(t1, DAY), t1));
    const t2 = plus(t1, DAY);
    const h2 = [issued(), started('p1', 1, t1), failed('p1', 1, t2, t1), started('p2', 2, t2)];
    const s2 = givenInvoice(...h2)
      .when(decline(INVOICE_ID, 'p2'), t2)
      .then(failed('p2', 2, plus(t2, 3 * DAY), t2));
    expect(toInvoiceView(s2)).toMatchObject({ status: 'past_due', attempts: 2, nextAttemptAt: plus(t2, 3 * DAY) });
    const t3 = plus(t2, 3 * DAY);
    const h3 = [...h2, failed('p2', 2, t3, t2), started('p3', 3, t3)];
    givenInvoice(...h3)
      .when(decline(INVOICE_ID, 'p3'), t3)
      .then(failed('p3', 3, plus(t3, 7 * DAY), t3));
  });

  it('after the last failed attempt the invoice is uncollectible, with nothing scheduled', () => {
    const history = [
      issued(),
      started('p1', 1),
      failed('p1', 1, LATER),
      started('p2', 2),
      failed('p2', 2, LATER),
      started('p3', 3),
      failed('p3', 3, LATER),
      started('p4', 4),
    ];
    const state = givenInvoice(...history)
      .when(decline(INVOICE_ID, 'p4'), NOW)
      .then(failed('p4', 4, null), uncollectible(4));
    expect(toInvoiceView(state)).toMatchObject({ status: 'uncollectible', attempts: 4, nextAttemptAt: null });
  });

  it('with no dunning waits, the first decline is the last', () => {
    const noRetry = issued({ dunning: [] });
    givenInvoice(noRetry, started('p1', 1))
      .when(decline(INVOICE_ID, 'p1'), NOW)
      .then(failed('p1', 1, null), uncollectible(1));
  });

  it('an uncollectible invoice may still be paid (which reinstates the organization); a declined try changes nothing else', () => {
    const history = [
      issued({ dunning: [] }),
      started('p1', 1),
      failed('p1', 1, null),
      uncollectible(1),
      started('p2', 2),
    ];
    expect(
      givenInvoice(...history)
        .when(approve(INVOICE_ID, 'p2'), NOW)
        .then(paid('p2')),
    ).toMatchObject({ status: 'paid' });
    expect(
      givenInvoice(...history)
        .when(decline(INVOICE_ID, 'p2'), NOW)
        .then(failed('p2', 2, null)),
    ).toMatchObject({ status: 'uncollectible', nextAttemptAt: null });
  });
});

describe('VoidInvoice', () => {
  it('voids an invoice before it is paid', () => {
    const state = givenInvoice(issued())
      .when(voidInvoice(INVOICE_ID), NOW)
      .then({ type: 'InvoiceVoided', data: { invoiceId: INVOICE_ID, reason: 'billed by mistake', occurredAt: NOW } });
    expect(state).toMatchObject({ status: 'void', voidedAt: NOW });
    givenInvoice(issued(), started('p1', 1), failed('p1', 1, LATER))
      .when(voidInvoice(INVOICE_ID), NOW)
      .events();
  });

  it('refuses a paid invoice, a void one, one whose payment is under way, and an empty reason', () => {
    givenInvoice(issued(), started('p1', 1), paid('p1'))
      .when(voidInvoice(INVOICE_ID), NOW)
      .thenFails('CONFLICT', /already paid/);
    givenInvoice(issued(), { type: 'InvoiceVoided', data: { invoiceId: INVOICE_ID, reason: 'x', occurredAt: NOW } })
      .when(voidInvoice(INVOICE_ID), NOW)
      .thenFails('CONFLICT', /is void/);
    givenInvoice(issued(), started('p1', 1))
      .when(voidInvoice(INVOICE_ID), NOW)
      .thenFails('CONFLICT', /money may be moving/);
    expect(paths(givenInvoice(issued()).when(voidInvoice(INVOICE_ID, ''), NOW).thenFails('VALIDATION'))).toEqual([
      '/reason',
    ]);
    givenInvoice(issued(), started('p1', 1), paid('p1'))
      .when(startPayment(INVOICE_ID, 'p2'), NOW)
      .thenFails('CONFLICT');
  });
});

describe('RecordInvoiceRefund', () => {
  const paidHistory = [issued(), started('p1', 1), paid('p1')];

  it('tracks refunds of the paying payment as amountRefunded; a retried refund decides nothing', () => {
    const state = givenInvoice(...paidHistory)
      .when(refundInvoice(INVOICE_ID, 'p1', '4'), NOW)
      .then({
        type: 'InvoiceRefundRecorded',
        data: {
          invoiceId: INVOICE_ID,
          paymentId: 'p1',
          refundId: 'refund-1',
          amount: '4.00',
          amountRefunded: '4.00',
          occurredAt: NOW,
        },
      });
    expect(toInvoiceView(state)).toMatchObject({ status: 'paid', amountRefunded: '4.00' });
    givenInvoice(...paidHistory, {
      type: 'InvoiceRefundRecorded',
      data: {
        invoiceId: INVOICE_ID,
        paymentId: 'p1',
        refundId: 'refund-1',
        amount: '4.00',
        amountRefunded: '4.00',
        occurredAt: NOW,
      },
    })
      .when(refundInvoice(INVOICE_ID, 'p1', '4'), NOW)
      .then();
  });

  it('refuses more than was paid, another payment, an unpaid invoice and a bad amount', () => {
    givenInvoice(...paidHistory)
      .when(refundInvoice(INVOICE_ID, 'p1', '10.01'), NOW)
      .thenFails('CONFLICT', /exceeds the refundable 10.00 EUR/);
    givenInvoice(...paidHistory)
      .when(refundInvoice(INVOICE_ID, 'p9', '1'), NOW)
      .thenFails('CONFLICT', /did not pay/);
    givenInvoice(issued())
      .when(refundInvoice(INVOICE_ID, 'p1', '1'), NOW)
      .thenFails('CONFLICT');
    expect(
      paths(
        givenInvoice(...paidHistory)
          .when(refundInvoice(INVOICE_ID, 'p1', '0'), NOW)
          .thenFails('VALIDATION'),
      ),
    ).toEqual(['/amount']);
  });
});
