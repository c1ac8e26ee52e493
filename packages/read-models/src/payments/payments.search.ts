import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import { isSupportedInstant, type PaymentSearchCriteria, type PaymentSortField } from '@gyroscops/contracts';
import { PAYMENT_STATUSES, type PaymentStatus, type PaymentView } from '@gyroscops/domain';
import { prepareAs } from '@gyroscops/platform';
import { rowToView } from './payment-row-mapping';
import type { PaymentReadTables } from './payments.table';

/**
 * Where a page ends: the values of the last row's sort key, as strings, the payment id last. Keyset
 * pagination continues strictly after it, so rows inserted meanwhile never shift a page (OFFSET would
 * repeat or skip rows) and equal sort values (same created_at, same amount) are ordered by payment id.
 *
 * createdAt: [created_at, payment_id]; amount: [currency, amount_minor, payment_id];
 * status: [status, created_at, payment_id]. created_at travels with microseconds, as Postgres stores
 * it: a millisecond Date would land before the row itself and repeat it.
 */
export type PaymentSearchKey = readonly string[];

export interface PaymentSearchPageRequest {
  /** Rows per page, 1..1000. */
  limit: number;
  /** The key of the last row of the previous page; absent for the first page. */
  after?: PaymentSearchKey;
}

export interface PaymentSearchResult {
  items: PaymentView[];
  /** The key to pass as `after` for the next page; null when this page is the last. */
  nextKey: PaymentSearchKey | null;
}

const MAX_LIMIT = 1_000;
const KEY_LENGTH: Record<PaymentSortField, number> = { createdAt: 2, amount: 3, status: 3 };
const MICROSECOND_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MINOR_UNITS = /^\d{1,19}$/;
const INT8_MAX = 9_223_372_036_854_775_807n;
const CURRENCY = /^[A-Z]{3}$/;

/** An instant as the cursor carries created_at: microseconds, UTC, a real day in the supported range. */
const isInstant = (value: string | undefined): value is string =>
  value !== undefined && MICROSECOND_INSTANT.test(value) && isSupportedInstant(value);
/** Minor units as an amount_minor column holds them: a non-negative int8. */
const isMinorUnits = (value: string | undefined): value is string =>
  value !== undefined && MINOR_UNITS.test(value) && BigInt(value) <= INT8_MAX;
const isStatus = (value: string | undefined): value is PaymentStatus =>
  value !== undefined && (PAYMENT_STATUSES as readonly string[]).includes(value);
const isPaymentId = (value: string | undefined): value is string => value !== undefined && UUID.test(value);

/**
 * True when `key` could be the key of a row under `sort`: a cursor from a client is checked with this
 * (and only this) before it reaches SQL, so a forged one is a bad request, not a database error. Every
 * part is checked as the column holds it: an int8 amount, an instant Postgres can store, a canonical
 * UUID, a currency code, a known status.
 */
export function isValidPaymentSearchKey(sort: PaymentSortField, key: readonly unknown[]): key is PaymentSearchKey {
  if (key.length !== KEY_LENGTH[sort] || !key.every((part) => typeof part === 'string')) return false;
  const parts = key as string[];
  switch (sort) {
    case 'createdAt':
      return isInstant(parts[0]) && isPaymentId(parts[1]);
    case 'amount':
      return CURRENCY.test(parts[0] ?? '') && isMinorUnits(parts[1]) && isPaymentId(parts[2]);
    case 'status':
      return isStatus(parts[0]) && isInstant(parts[1]) && isPaymentId(parts[2]);
    default: {
      const _exhaustive: never = sort;
      return _exhaustive;
    }
  }
}

function assertCriteria(criteria: PaymentSearchCriteria): void {
  const { minAmountMinor, maxAmountMinor, currency } = criteria;
  if ((minAmountMinor !== undefined || maxAmountMinor !== undefined) && currency === undefined) {
    // Minor units of different currencies are different sizes: a bound only means something within one.
    throw new RangeError('amount bounds need a currency');
  }
  for (const bound of [minAmountMinor, maxAmountMinor]) {
    if (bound !== undefined && !isMinorUnits(bound))
      throw new RangeError(`amount bound must be integer minor units (got ${bound})`);
  }
  for (const instant of [criteria.createdFrom, criteria.createdTo]) {
    if (instant !== undefined && Number.isNaN(Date.parse(instant))) throw new RangeError(`not an instant: ${instant}`);
  }
}

/** The rows matching the filters, before any keyset condition: shared by the page and the count. */
function matching(db: Kysely<PaymentReadTables>, criteria: PaymentSearchCriteria) {
  let query = db.selectFrom('payments');
  if (criteria.organizationId !== undefined) query = query.where('organization_id', '=', criteria.organizationId);
  if (criteria.organizationIds !== undefined) {
    const organizations = criteria.organizationIds;
    query =
      organizations.length > 0
        ? query.where('organization_id', 'in', organizations)
        : query.where((eb) => eb.lit(false));
  }
  if (criteria.statuses !== undefined) {
    const statuses = criteria.statuses;
    // `in ()` is not SQL: an empty status list matches nothing.
    query = statuses.length > 0 ? query.where('status', 'in', statuses) : query.where((eb) => eb.lit(false));
  }
  if (criteria.currency !== undefined) query = query.where('currency', '=', criteria.currency);
  if (criteria.invoiceId !== undefined) query = query.where('invoice_id', '=', criteria.invoiceId);
  if (criteria.minAmountMinor !== undefined) query = query.where('amount_minor', '>=', criteria.minAmountMinor);
  if (criteria.maxAmountMinor !== undefined) query = query.where('amount_minor', '<=', criteria.maxAmountMinor);
  if (criteria.createdFrom !== undefined) query = query.where('created_at', '>=', new Date(criteria.createdFrom));
  if (criteria.createdTo !== undefined) query = query.where('created_at', '<', new Date(criteria.createdTo));
  return query;
}

type PaymentsExpressions = ExpressionBuilder<PaymentReadTables, 'payments'>;

/**
 * `(sort columns..., payment_id) > (key...)` (or `<` descending) as one row comparison: Postgres
 * turns it into a single index range on the matching (organization_id, sort columns..., payment_id)
 * index, where the equivalent OR/AND chain would only filter.
 */
function afterKey(eb: PaymentsExpressions, criteria: PaymentSearchCriteria, key: PaymentSearchKey) {
  const op = criteria.order === 'asc' ? '>' : '<';
  const instant = (value: string | undefined) => eb.cast<Date>(eb.val(value ?? ''), 'timestamptz');
  const [first = '', second = '', third = ''] = key;
  switch (criteria.sort) {
    case 'createdAt':
      return eb(eb.refTuple('created_at', 'payment_id'), op, eb.tuple(instant(first), second));
    case 'amount':
      return eb(eb.refTuple('currency', 'amount_minor', 'payment_id'), op, eb.tuple(first, second, third));
    case 'status':
      return eb(
        eb.refTuple('status', 'created_at', 'payment_id'),
        op,
        eb.tuple(first as PaymentStatus, instant(second), third),
      );
    default: {
      const _exhaustive: never = criteria.sort;
      return _exhaustive;
    }
  }
}

// The exact stored instant (microseconds, UTC) for the cursor; a constant expression, no input in it.
const createdAtKey = sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * One page of payments matching `criteria`, in its sort order, continuing after `page.after`. A walk
 * from the first page to the last returns every payment that matched when it began exactly once;
 * payments created meanwhile appear if they sort after the current page.
 */
export async function searchPayments(
  db: Kysely<PaymentReadTables>,
  criteria: PaymentSearchCriteria,
  page: PaymentSearchPageRequest,
): Promise<PaymentSearchResult> {
  if (!Number.isSafeInteger(page.limit) || page.limit < 1 || page.limit > MAX_LIMIT)
    throw new RangeError(`limit must be 1..${MAX_LIMIT} (got ${page.limit})`);
  assertCriteria(criteria);
  const { after } = page;
  if (after !== undefined && !isValidPaymentSearchKey(criteria.sort, after))
    throw new RangeError('not a key of this sort');
  const order = criteria.order;
  let query = matching(db, criteria).selectAll().select(createdAtKey.as('created_at_key'));
  if (after !== undefined) query = query.where((eb) => afterKey(eb, criteria, after));
  switch (criteria.sort) {
    case 'createdAt':
      query = query.orderBy('created_at', order);
      break;
    case 'amount':
      query = query.orderBy('currency', order).orderBy('amount_minor', order);
      break;
    case 'status':
      query = query.orderBy('status', order).orderBy('created_at', order);
      break;
    default: {
      const _exhaustive: never = criteria.sort;
      throw new RangeError(`unknown sort ${String(_exhaustive)}`);
    }
  }
  // One row more than asked tells whether another page exists, without a trailing empty page.
  // Prepared per connection (one statement per filter shape: the values are parameters).
  const rows = await query
    .orderBy('payment_id', order)
    .limit(page.limit + 1)
    .modifyEnd(prepareAs('payment_search'))
    .execute();
  const pageRows = rows.slice(0, page.limit);
  const last = pageRows[pageRows.length - 1];
  let nextKey: PaymentSearchKey | null = null;
  if (rows.length > page.limit && last) {
    nextKey =
      criteria.sort === 'createdAt'
        ? [last.created_at_key, last.payment_id]
        : criteria.sort === 'amount'
          ? [last.currency, String(last.amount_minor), last.payment_id]
          : [last.status, last.created_at_key, last.payment_id];
  }
  return { items: pageRows.map(rowToView), nextKey };
}

/** How many payments match `criteria` (all pages): the `total` of a search. */
export async function countPayments(db: Kysely<PaymentReadTables>, criteria: PaymentSearchCriteria): Promise<number> {
  assertCriteria(criteria);
  const row = await matching(db, criteria)
    .select((eb) => eb.fn.countAll<string>().as('total'))
    .modifyEnd(prepareAs('payment_count'))
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}
