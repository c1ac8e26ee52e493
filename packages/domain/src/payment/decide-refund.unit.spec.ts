import type { PaymentEvent } from './payment';
import {
  approveRefund,
  declineRefund,
  deleted,
  deletePayment,
  failed,
  initiated,
  NOW,
  PAYMENT_ID,
  processed,
  refundDeclined,
  refunded,
  refundPayment,
  refundRequested,
} from './test-support/fixtures';
import { given, paths } from './test-support/given';

/*
 * A refund is two facts, like a charge: RefundRequested when it is asked of the gateway (no money
 * has moved back, refundedMinor is unchanged), then PaymentRefunded or RefundDeclined once the
 * gateway answered.
 */

const requestedNow = (amount: string, refundId = 'refund-1', reason: string | null = null): PaymentEvent =>
  refundRequested(amount, { refundId, reason, occurredAt: NOW });

const refundedNow = (
  amount: string,
  refundedTotal: string,
  refundId = 'refund-1',
  reason: string | null = null,
): PaymentEvent => refunded(amount, refundedTotal, { refundId, reason, occurredAt: NOW });

describe('RefundPayment', () => {
  it('requests part of a processed payment back, moving no money yet', () => {
    const state = given(initiated(), processed())
      .when(refundPayment('30', { reason: 'damaged' }))
      .then(requestedNow('30.00', 'refund-1', 'damaged'));
    expect(state).toMatchObject({
      status: 'processed',
      refundedMinor: 0n,
      refundsInFlight: { 'refund-1': { amount: '30.00', reason: 'damaged' } },
      updatedAt: NOW,
    });
  });

  it('requests the rest of a partially refunded payment', () => {
    given(initiated(), processed(), refundRequested('30.00'), refunded('30.00', '30.00', { refundId: 'refund-1' }))
      .when(refundPayment('70.00', { refundId: 'refund-2' }))
      .then(requestedNow('70.00', 'refund-2'));
  });

  it('accepts several partial refunds while the total stays within the amount', () => {
    given(initiated(), processed(), refunded('10.00', '10.00'), refunded('20.00', '30.00', { refundId: 'r-2' }))
      .when(refundPayment('0.01'))
      .then(requestedNow('0.01'));
  });

  it('conflicts when the refund exceeds what remains, saying what remains', () => {
    given(initiated(), processed(), refunded('60.00', '60.00'))
      .when(refundPayment('40.01'))
      .thenFails('CONFLICT', 'refund of 40.01 EUR exceeds the refundable remaining amount of 40.00 EUR');
    given(initiated(), processed())
      .when(refundPayment('100.01'))
      .thenFails('CONFLICT', /remaining amount of 100.00 EUR/);
  });

  it('counts refunds in flight as promised: two of them cannot both take the rest', () => {
    given(initiated(), processed(), refundRequested('60.00'))
      .when(refundPayment('40.01', { refundId: 'refund-2' }))
      .thenFails('CONFLICT', /remaining amount of 40.00 EUR/);
    given(initiated(), processed(), refundRequested('60.00'))
      .when(refundPayment('40.00', { refundId: 'refund-2' }))
      .then(requestedNow('40.00', 'refund-2'));
  });

  it('gives back what a declined refund had promised', () => {
    given(initiated(), processed(), refundRequested('60.00'), refundDeclined('60.00'))
      .when(refundPayment('100.00', { refundId: 'refund-2' }))
      .then(requestedNow('100.00', 'refund-2'));
  });

  it('conflicts when the same refund id is already in flight', () => {
    given(initiated(), processed(), refundRequested('10.00'))
      .when(refundPayment('10.00'))
      .thenFails('CONFLICT', /refund refund-1 .* already in flight/);
  });

  it('never takes a refund id twice, once its refund was made or declined', () => {
    given(initiated(), processed(), refundRequested('10.00'), refunded('10.00', '10.00', { refundId: 'refund-1' }))
      .when(refundPayment('10.00'))
      .thenFails('CONFLICT', /refund refund-1 .* was already made/);
    given(initiated(), processed(), refundRequested('10.00'), refundDeclined('10.00'))
      .when(refundPayment('10.00'))
      .thenFails('CONFLICT', /refund refund-1 .* was already made/);
  });

  it('conflicts once fully refunded', () => {
    given(initiated(), processed(), refunded('100.00', '100.00'))
      .when(refundPayment('0.01'))
      .thenFails('CONFLICT', /is refunded/);
  });

  it.each([
    ['pending', [initiated()]],
    ['failed', [initiated(), failed()]],
  ] as const)('conflicts when the payment is %s: only processed payments are refunded', (status, history) => {
    given(...history)
      .when(refundPayment('1.00'))
      .thenFails('CONFLICT', new RegExp(`is ${status}`));
  });

  it('uses the payment currency: BHD has three decimals', () => {
    given(initiated({ amount: '1.000', currency: 'BHD' }), processed())
      .when(refundPayment('0.005'))
      .then(requestedNow('0.005'));
    const error = given(initiated({ amount: '1.000', currency: 'BHD' }), processed())
      .when(refundPayment('0.0005'))
      .thenFails('VALIDATION');
    expect(error.errors).toEqual([{ path: '/amount', message: 'BHD amounts take at most 3 decimals' }]);
  });

  it.each(['0', '0.00', '-1', '1.001', 'abc', '', '1,00'])('rejects the amount %j', (amount) => {
    expect(paths(given(initiated(), processed()).when(refundPayment(amount)).thenFails('VALIDATION'))).toEqual([
      '/amount',
    ]);
  });

  it('rejects a reason over 500 characters and an empty refund id', () => {
    const error = given(initiated(), processed())
      .when(refundPayment('1.00', { refundId: '', reason: 'x'.repeat(501) }))
      .thenFails('VALIDATION');
    expect(paths(error)).toEqual(['/refundId', '/reason']);
  });

  it('is not found for a payment that does not exist or is deleted', () => {
    given().when(refundPayment('1.00')).thenFails('NOT_FOUND', `payment ${PAYMENT_ID} not found`);
    given(initiated(), processed(), deleted()).when(refundPayment('1.00')).thenFails('NOT_FOUND');
  });
});

describe('RecordRefundResult', () => {
  it('approved: the money moved back, PaymentRefunded carries the requested amount and reason', () => {
    const state = given(initiated(), processed(), refundRequested('30.00', { reason: 'damaged' }))
      .when(approveRefund())
      .then(refundedNow('30.00', '30.00', 'refund-1', 'damaged'));
    expect(state).toMatchObject({ status: 'partially_refunded', refundedMinor: 3000n, refundsInFlight: {} });
  });

  it('approved for the rest: the payment ends refunded', () => {
    const state = given(
      initiated(),
      processed(),
      refunded('30.00', '30.00', { refundId: 'refund-0' }),
      refundRequested('70.00'),
    )
      .when(approveRefund())
      .then(refundedNow('70.00', '100.00'));
    expect(state).toMatchObject({ status: 'refunded', refundedMinor: 10000n, amountMinor: 10000n });
  });

  it('declined: RefundDeclined with the gateway reason, nothing refunded, the promise released', () => {
    const state = given(initiated(), processed(), refundRequested('30.00'))
      .when(declineRefund('refund-1', 'amount_exceeds_refundable'))
      .then(refundDeclined('30.00', { reason: 'amount_exceeds_refundable', occurredAt: NOW }));
    expect(state).toMatchObject({ status: 'processed', refundedMinor: 0n, refundsInFlight: {} });
  });

  it('keeps the other refunds in flight when one is answered', () => {
    const state = given(
      initiated(),
      processed(),
      refundRequested('10.00'),
      refundRequested('20.00', { refundId: 'refund-2' }),
    )
      .when(approveRefund('refund-2'))
      .then(refundedNow('20.00', '20.00', 'refund-2'));
    expect(state).toMatchObject({ refundsInFlight: { 'refund-1': { amount: '10.00' } }, refundedMinor: 2000n });
  });

  it('conflicts for a refund that is not in flight (never requested, or already answered)', () => {
    given(initiated(), processed())
      .when(approveRefund())
      .thenFails('CONFLICT', /not in flight/);
    given(initiated(), processed(), refundRequested('1.00'), refundDeclined('1.00'))
      .when(approveRefund())
      .thenFails('CONFLICT', /not in flight/);
  });

  it('rejects an empty gateway reference, decline reason or refund id', () => {
    const history = [initiated(), processed(), refundRequested('1.00')];
    expect(
      paths(
        given(...history)
          .when(approveRefund('refund-1', ''))
          .thenFails('VALIDATION'),
      ),
    ).toEqual(['/gatewayReference']);
    expect(
      paths(
        given(...history)
          .when(declineRefund('', ''))
          .thenFails('VALIDATION'),
      ),
    ).toEqual(['/refundId', '/reason']);
  });

  it('is not found for a payment that never existed', () => {
    given().when(approveRefund()).thenFails('NOT_FOUND');
  });
});

describe('DeletePayment while a refund is in flight', () => {
  it('conflicts until the gateway has answered', () => {
    given(initiated(), processed(), refundRequested('1.00'))
      .when(deletePayment())
      .thenFails('CONFLICT', /being refunded/);
    given(initiated(), processed(), refundRequested('1.00'), refundDeclined('1.00'))
      .when(deletePayment())
      .then({ type: 'PaymentDeleted', data: { paymentId: PAYMENT_ID, reason: null, occurredAt: NOW } });
  });
});
