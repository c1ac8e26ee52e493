import { sql, type Kysely } from 'kysely';
import type { InvoiceSearchCriteria } from '@gyroscops/contracts';
import { formatStoredAmount, type InvoiceStatus, type InvoiceView } from '@gyroscops/domain';
import { prepareAs } from '@gyroscops/platform';
import { rowToInvoiceView } from './invoice-row-mapping';
import type { InvoiceReadTables } from './invoices.table';

/**
 * Where a page of invoices ends: the last row's period start (as Postgres stores it, with
 * microseconds) and its invoice id. Keyset pagination continues strictly after it, newest period
 * first, so invoices issued meanwhile never shift a page and equal period starts are ordered by id.
 */
export type InvoiceSearchKey = readonly [periodStart: string, invoiceId: string];

export interface InvoiceSearchPageRequest {
  /** Rows per page, 1..1000. */
  limit: number;
  /** The key of the last row of the previous page; absent for the first page. */
  after?: InvoiceSearchKey;
}

export interface InvoiceSearchResult {
  items: InvoiceView[];
  /** The key to pass as `after` for the next page; null when this page is the last. */
  nextKey: InvoiceSearchKey | null;
}

/** What an organization still owes, per currency, in minor units. */
export type OutstandingByCurrency = Record<string, bigint>;

/** The statuses whose invoices still owe money (the domain's outstandingMinor: all but paid and void). */
export const OWING_INVOICE_STATUSES: readonly InvoiceStatus[] = Object.freeze(['open', 'past_due', 'uncollectible']);

const MAX_LIMIT = 1_000;
const MICROSECOND_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * True when `key` could be the key of an invoice row: a cursor from a client is checked with this
 * before it reaches SQL, so a forged one is a bad request, not a database error.
 */
export function isValidInvoiceSearchKey(key: readonly unknown[]): key is InvoiceSearchKey {
  if (key.length !== 2 || !key.every((part) => typeof part === 'string')) return false;
  const [periodStart, invoiceId] = key as string[];
  return MICROSECOND_INSTANT.test(periodStart!) && !Number.isNaN(Date.parse(periodStart!)) && UUID.test(invoiceId!);
}

/** The current view of an invoice, or undefined when unknown. */
export async function findInvoiceView(
  db: Kysely<InvoiceReadTables>,
  invoiceId: string,
): Promise<InvoiceView | undefined> {
  const row = await db
    .selectFrom('invoices')
    .selectAll()
    .where('invoice_id', '=', invoiceId)
    .modifyEnd(prepareAs('invoice_view'))
    .executeTakeFirst();
  return row ? rowToInvoiceView(row) : undefined;
}

function assertCriteria(criteria: InvoiceSearchCriteria): void {
  for (const instant of [criteria.periodFrom, criteria.periodTo]) {
    if (instant !== undefined && Number.isNaN(Date.parse(instant))) throw new RangeError(`not an instant: ${instant}`);
  }
}

/** The rows matching the filters, before any keyset condition: shared by the page and the count. */
function matching(db: Kysely<InvoiceReadTables>, criteria: InvoiceSearchCriteria) {
  let query = db.selectFrom('invoices');
  if (criteria.organizationId !== undefined) query = query.where('organization_id', '=', criteria.organizationId);
  if (criteria.organizationIds !== undefined) {
    const organizations = criteria.organizationIds;
    // `in ()` is not SQL: an empty list matches nothing.
    query =
      organizations.length > 0
        ? query.where('organization_id', 'in', organizations)
        : query.where((eb) => eb.lit(false));
  }
  if (criteria.statuses !== undefined) {
    const statuses = criteria.statuses;
    query = statuses.length > 0 ? query.where('status', 'in', statuses) : query.where((eb) => eb.lit(false));
  }
  if (criteria.periodFrom !== undefined) query = query.where('period_start', '>=', new Date(criteria.periodFrom));
  if (criteria.periodTo !== undefined) query = query.where('period_start', '<', new Date(criteria.periodTo));
  return query;
}

// The exact stored instant (microseconds, UTC) for the cursor; a constant expression, no input in it.
const periodStartKey = sql<string>`to_char(period_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * One page of invoices matching `criteria`, newest period first, continuing after `page.after`. A
 * walk from the first page to the last returns every invoice that matched when it began exactly once.
 */
export async function searchInvoices(
  db: Kysely<InvoiceReadTables>,
  criteria: InvoiceSearchCriteria,
  page: InvoiceSearchPageRequest,
): Promise<InvoiceSearchResult> {
  if (!Number.isSafeInteger(page.limit) || page.limit < 1 || page.limit > MAX_LIMIT)
    throw new RangeError(`limit must be 1..${MAX_LIMIT} (got ${page.limit})`);
  assertCriteria(criteria);
  const { after } = page;
  if (after !== undefined && !isValidInvoiceSearchKey(after)) throw new RangeError('not an invoice search key');
  let query = matching(db, criteria).selectAll().select(periodStartKey.as('period_start_key'));
  if (after !== undefined) {
    // One row comparison: a single index range on (…, period_start, invoice_id).
    query = query.where((eb) =>
      eb(
        eb.refTuple('period_start', 'invoice_id'),
        '<',
        eb.tuple(eb.cast<Date>(eb.val(after[0]), 'timestamptz'), after[1]),
      ),
    );
  }
  // One row more than asked tells whether another page exists, without a trailing empty page.
  const rows = await query
    .orderBy('period_start', 'desc')
    .orderBy('invoice_id', 'desc')
    .limit(page.limit + 1)
    .modifyEnd(prepareAs('invoice_search'))
    .execute();
  const pageRows = rows.slice(0, page.limit);
  const last = pageRows[pageRows.length - 1];
  const nextKey: InvoiceSearchKey | null =
    rows.length > page.limit && last ? [last.period_start_key, last.invoice_id] : null;
  return { items: pageRows.map(rowToInvoiceView), nextKey };
}

/** How many invoices match `criteria` (all pages): the `total` of a search. */
export async function countInvoices(db: Kysely<InvoiceReadTables>, criteria: InvoiceSearchCriteria): Promise<number> {
  assertCriteria(criteria);
  const row = await matching(db, criteria)
    .select((eb) => eb.fn.countAll<string>().as('total'))
    .modifyEnd(prepareAs('invoice_count'))
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}

/**
 * What an organization still owes on its invoices, per currency, in minor units: the total minus
 * what was paid, over its open, past-due and uncollectible invoices (the domain's outstandingMinor).
 * Currencies with nothing owed are left out.
 */
export async function findOutstandingByCurrency(
  db: Kysely<InvoiceReadTables>,
  organizationId: string,
): Promise<OutstandingByCurrency> {
  const rows = await db
    .selectFrom('invoices')
    .select((eb) => ['currency', eb.fn.sum<string>(sql`total_minor - amount_paid_minor`).as('owed')])
    .where('organization_id', '=', organizationId)
    .where('status', 'in', OWING_INVOICE_STATUSES)
    .groupBy('currency')
    .modifyEnd(prepareAs('invoice_outstanding'))
    .execute();
  const owed: OutstandingByCurrency = {};
  for (const row of rows) if (BigInt(row.owed) !== 0n) owed[row.currency] = BigInt(row.owed);
  return owed;
}

/** Outstanding minor units per currency as canonical amounts. */
export function formatOutstanding(owed: OutstandingByCurrency): Record<string, string> {
  return Object.fromEntries(
    Object.entries(owed)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([currency, minor]) => [currency, formatStoredAmount(minor, currency)]),
  );
}
