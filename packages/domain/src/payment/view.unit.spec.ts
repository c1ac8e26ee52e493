import { foldPayment, initialPaymentState } from './payment';
import {
  deleted,
  initiated,
  ORG_ID,
  PAYMENT_ID,
  processed,
  refunded,
  T0,
  T2,
  T3,
  USER_ID,
} from './test-support/fixtures';
import { toPaymentView } from './view';

describe('toPaymentView', () => {
  it('is null for a payment that does not exist', () => {
    expect(toPaymentView(initialPaymentState)).toBeNull();
  });

  it('shows amounts as canonical strings in the payment currency', () => {
    const state = foldPayment([
      initiated({ description: 'd', metadata: { a: '1' } }),
      processed(),
      refunded('25.5', '25.50'),
    ]);
    expect(toPaymentView(state)).toEqual({
      paymentId: PAYMENT_ID,
      organizationId: ORG_ID,
      userId: USER_ID,
      amount: '100.00',
      currency: 'EUR',
      status: 'partially_refunded',
      description: 'd',
      refundedAmount: '25.50',
      metadata: { a: '1' },
      invoiceId: null,
      failureReason: null,
      createdAt: T0,
      updatedAt: T2,
      version: 3,
      deleted: false,
    });
  });

  it('formats with the currency exponent', () => {
    expect(toPaymentView(foldPayment([initiated({ amount: '1500', currency: 'JPY' })]))).toMatchObject({
      amount: '1500',
      refundedAmount: '0',
    });
    expect(toPaymentView(foldPayment([initiated({ amount: '0.005', currency: 'BHD' })]))).toMatchObject({
      amount: '0.005',
      refundedAmount: '0.000',
    });
  });

  it('marks a deleted payment, which history and as-of views still show', () => {
    expect(toPaymentView(foldPayment([initiated(), deleted()]))).toMatchObject({
      deleted: true,
      version: 2,
      updatedAt: T3,
    });
  });

  it('is plain JSON', () => {
    const view = toPaymentView(foldPayment([initiated(), processed()]));
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
  });
});
