/*
 * How an invoice is named. Its id is derived from (organization, cycle sequence), so closing the
 * same cycle twice (a retried workflow step) names the same invoice and can never issue two. Its
 * number is per organization, '<year>-<sequence>', and gap-free: only an issued invoice takes one.
 */

/** An invoice number's parts: the UTC year of issue and the sequence within that year (from 1). */
export interface InvoiceNumber {
  year: number;
  sequence: number;
}

const NUMBER_PATTERN = /^(\d{4})-(\d{6,})$/;

/** '2025-000042': the year, then the sequence padded to six digits (it grows past them if it must). */
export function formatInvoiceNumber(number: InvoiceNumber): string {
  return `${number.year}-${String(number.sequence).padStart(6, '0')}`;
}

/** The parts of an invoice number, or undefined when it is not one. */
export function parseInvoiceNumber(value: string): InvoiceNumber | undefined {
  const match = NUMBER_PATTERN.exec(value);
  if (!match) return undefined;
  const sequence = Number(match[2]);
  return Number.isSafeInteger(sequence) && sequence >= 1 ? { year: Number(match[1]), sequence } : undefined;
}

/** The number after `last` for an invoice issued in `year`: the sequence restarts at 1 each year. */
export function nextInvoiceNumber(last: InvoiceNumber | null, year: number): InvoiceNumber {
  return last !== null && last.year === year ? { year, sequence: last.sequence + 1 } : { year, sequence: 1 };
}

/**
 * The name an invoice id is derived from. The caller turns it into an id with a deterministic
 * function (a UUIDv5 in a namespace of its own in production): the domain has no hash function.
 */
export function invoiceIdName(organizationId: string, cycleSequence: number): string {
  return `invoice:${organizationId}:${cycleSequence}`;
}

/** Derives a stable id from a name; the same name always gives the same id. */
export type DeriveId = (name: string) => string;
