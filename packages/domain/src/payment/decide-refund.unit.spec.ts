import type { PaymentEvent } from './payment';
import {
  deleted,
  failed,
  initiated,
  NOW,
  PAYMENT_ID,
  processed,
  refunded,
  refundPayment,
} from './test-support/fixtures';
import { given, paths } from './test-support/given';

const refundedNow = (
  amount: string,
  refundedTotal: string,
  refundId = 'refund-1',
  reason: string | null = null,
): PaymentEvent => refunded(amount, refundedTotal, { refundId, reason, occurredAt: NOW });

describe('RefundPayment', () => {
  it('refunds part of a processed payment', () => {
    const state = given(initiated(), processed())
      .when(refundPayment('30', { reason: 'damaged' }))
      .then(refundedNow('30.00', '30.00', 'refund-1', 'damaged'));
    expect(state).toMatchObject({ status: 'partially_refunded', refundedMinor: 3000n, updatedAt: NOW });
  });

  it('refunds the rest of a partially refunded payment, which ends refunded', () => {
    const state = given(initiated(), processed(), refunded('30.00', '30.00'))
      .when(refundPayment('70.00', { refundId: 'refund-2' }))
      .then(refundedNow('70.00', '100.00', 'refund-2'));
    expect(state).toMatchObject({ status: 'refunded', refundedMinor: 10000n, amountMinor: 10000n });
  });

  it('refunds everything at once', () => {
    const state = given(initiated(), processed()).when(refundPayment('100.00')).then(refundedNow('100.00', '100.00'));
    expect(state).toMatchObject({ status: 'refunded' });
  });

  it('accepts several partial refunds while the total stays within the amount', () => {
    given(initiated(), processed(), refunded('10.00', '10.00'), refunded('20.00', '30.00'))
      .when(refundPayment('0.01'))
      .then(refundedNow('0.01', '30.01'));
  });

  it('conflicts when the refund exceeds what remains, saying what remains', () => {
    given(initiated(), processed(), refunded('60.00', '60.00'))
      .when(refundPayment('40.01'))
      .thenFails('CONFLICT', 'refund of 40.01 EUR exceeds the refundable remaining amount of 40.00 EUR');
    given(initiated(), processed())
      .when(refundPayment('100.01'))
      .thenFails('CONFLICT', /remaining amount of 100.00 EUR/);
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
      .then(refundedNow('0.005', '0.005'));
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
