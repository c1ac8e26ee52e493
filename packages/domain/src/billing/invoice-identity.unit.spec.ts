import { formatInvoiceNumber, invoiceIdName, nextInvoiceNumber, parseInvoiceNumber } from './invoice-identity';

describe('invoice identity', () => {
  it("numbers are '<year>-<sequence>', six digits at least, and read back", () => {
    expect(formatInvoiceNumber({ year: 2025, sequence: 42 })).toBe('2025-000042');
    expect(formatInvoiceNumber({ year: 2025, sequence: 1_234_567 })).toBe('2025-1234567');
    expect(parseInvoiceNumber('2025-000042')).toEqual({ year: 2025, sequence: 42 });
    for (const bad of ['2025-42', '2025-000000', '25-000001', '2025-00000x', ''])
      expect(parseInvoiceNumber(bad)).toBeUndefined();
  });

  it('follow each other within a year and restart at 1 with a new year', () => {
    expect(nextInvoiceNumber(null, 2025)).toEqual({ year: 2025, sequence: 1 });
    expect(nextInvoiceNumber({ year: 2025, sequence: 7 }, 2025)).toEqual({ year: 2025, sequence: 8 });
    expect(nextInvoiceNumber({ year: 2025, sequence: 7 }, 2026)).toEqual({ year: 2026, sequence: 1 });
  });

  it('ids derive from the organization and the cycle sequence only', () => {
    expect(invoiceIdName('org-1', 3)).toBe('invoice:org-1:3');
    expect(invoiceIdName('org-1', 3)).not.toBe(invoiceIdName('org-1', 4));
    expect(invoiceIdName('org-1', 3)).not.toBe(invoiceIdName('org-2', 3));
  });
});
