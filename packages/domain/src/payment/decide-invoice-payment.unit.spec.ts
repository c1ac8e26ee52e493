import { foldPayment } from './payment';
import { createPayment, initiated, NOW, processed } from './test-support/fixtures';
import { given, paths } from './test-support/given';
import { toPaymentView } from './view';

const INVOICE_ID = '5d0c2f7e-3b1a-4c2d-9e8f-0a1b2c3d4e5f';

describe('CreatePayment of an invoice payment', () => {
  it('carries the invoice id into PaymentInitiated, the state and the view', () => {
    const state = given()
      .when(createPayment({ invoiceId: INVOICE_ID }))
      .then(initiated({ invoiceId: INVOICE_ID, occurredAt: NOW }));
    expect(state).toMatchObject({ kind: 'live', invoiceId: INVOICE_ID });
    expect(toPaymentView(state)?.invoiceId).toBe(INVOICE_ID);
  });

  it('leaves invoiceId out of the event of a payment that pays no invoice', () => {
    const state = given()
      .when(createPayment())
      .then(initiated({ occurredAt: NOW }));
    expect(toPaymentView(state)?.invoiceId).toBeNull();
  });

  it('refuses an empty invoice id with the other field errors at once', () => {
    const error = given()
      .when(createPayment({ invoiceId: '', amount: 'x' }))
      .thenFails('VALIDATION');
    expect(paths(error)).toEqual(expect.arrayContaining(['/invoiceId', '/amount']));
  });
});

describe('events written before invoice payments existed', () => {
  it('fold into a payment with no invoice', () => {
    const stored = initiated();
    expect('invoiceId' in stored.data).toBe(false);
    const view = toPaymentView(foldPayment([stored, processed()]));
    expect(view).toMatchObject({ invoiceId: null, status: 'processed' });
  });
});
