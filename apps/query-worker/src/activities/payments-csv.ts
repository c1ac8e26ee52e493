import type { PaymentView } from '@gyroscops/domain';

/** The columns of a payment export, in order. Metadata is left out: it is free-form and unbounded in keys. */
export const PAYMENT_CSV_COLUMNS = [
  'paymentId',
  'organizationId',
  'userId',
  'status',
  'amount',
  'currency',
  'refundedAmount',
  'description',
  'failureReason',
  'createdAt',
  'updatedAt',
  'version',
] as const;

/** Line end of RFC 4180. */
export const CSV_LINE_END = '\r\n';

// A spreadsheet runs a cell starting with one of these as a formula (CSV injection, OWASP): such text
// gets a leading apostrophe, which spreadsheets show as text.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One field: quoted when it holds a quote, comma or line break (quotes doubled), neutralized when it looks like a formula. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const paymentCsvHeader = (): string => PAYMENT_CSV_COLUMNS.join(',');

/** One payment as a CSV line (without its line end). */
export function paymentCsvLine(view: PaymentView): string {
  return PAYMENT_CSV_COLUMNS.map((column) => csvField(view[column])).join(',');
}
