import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import { INVOICE_PAYMENT_NAMESPACE, invoicePaymentCommandId, invoicePaymentId, uuidV5 } from './invoice-payment-ids';

describe('invoice payment ids', () => {
  it('are the UUIDv5 the uuid package computes, for names of any length and script', () => {
    const names = [
      '',
      'a',
      'x'.repeat(55),
      'y'.repeat(56),
      'z'.repeat(64),
      'é€𝄞 paiement',
      `invoice-payment:${randomUUID()}:1`,
    ];
    for (let i = 0; i < 200; i += 1) names.push('n'.repeat(i) + String(i));
    for (const name of names)
      expect(uuidV5(name, INVOICE_PAYMENT_NAMESPACE)).toBe(uuidv5(name, INVOICE_PAYMENT_NAMESPACE));
  });

  it('name one payment and one command per (invoice, attempt), distinct from each other', () => {
    const invoiceId = randomUUID();
    expect(invoicePaymentId(invoiceId, 1)).toBe(invoicePaymentId(invoiceId, 1));
    const ids = new Set([
      invoicePaymentId(invoiceId, 1),
      invoicePaymentId(invoiceId, 2),
      invoicePaymentCommandId(invoiceId, 1),
      invoicePaymentId(randomUUID(), 1),
    ]);
    expect(ids.size).toBe(4);
  });
});
