import type { PaymentView } from '@gyroscops/domain';
import { csvField, paymentCsvHeader, paymentCsvLine } from './payments-csv';

describe('payment CSV', () => {
  it('quotes fields holding a quote, comma or line break, doubling quotes (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(3)).toBe('3');
  });

  it('neutralizes text a spreadsheet would run as a formula', () => {
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('+33 6 00')).toBe("'+33 6 00");
    expect(csvField('-5')).toBe("'-5");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('=A1,B1')).toBe(`"'=A1,B1"`);
  });

  it('writes a payment in the header order', () => {
    const view: PaymentView = {
      paymentId: 'p-1',
      organizationId: 'org',
      userId: 'u',
      amount: '10.00',
      currency: 'EUR',
      status: 'processed',
      description: 'a, b',
      refundedAmount: '0.00',
      metadata: { ignored: 'yes' },
      invoiceId: null,
      failureReason: null,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:01.000Z',
      version: 2,
      deleted: false,
    };
    expect(paymentCsvHeader()).toBe(
      'paymentId,organizationId,userId,status,amount,currency,refundedAmount,description,failureReason,createdAt,updatedAt,version',
    );
    expect(paymentCsvLine(view)).toBe(
      'p-1,org,u,processed,10.00,EUR,0.00,"a, b",,2026-01-01T00:00:00.000Z,2026-01-01T00:00:01.000Z,2',
    );
  });
});
