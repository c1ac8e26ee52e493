import { Type, type Static } from '@sinclair/typebox';
import type { PaymentStatus as DomainPaymentStatus } from '@gyroscops/domain';
import { Amount, CurrencyCode, OrganizationId, PaymentStatus, Uuid } from './common.schema';
import { Cursor } from './cursor.schema';
import { Instant } from './instant.schema';
import { PaymentViewSchema } from './payment-view.schema';

const sortFields = () => [Type.Literal('createdAt'), Type.Literal('amount'), Type.Literal('status')];
const sortOrders = () => [Type.Literal('asc'), Type.Literal('desc')];
const SORT_DESCRIPTION =
  'createdAt: by creation time. amount: by currency code, then amount (amounts of different currencies are not ' +
  'comparable, so they are grouped by currency; filter by currency for a pure amount order). status: by status code ' +
  '(alphabetical), then creation time. Ties are broken by paymentId.';

export const PaymentSortField = Type.Union(sortFields(), { description: SORT_DESCRIPTION });
export type PaymentSortField = Static<typeof PaymentSortField>;

export const SortOrder = Type.Union(sortOrders());
export type SortOrder = Static<typeof SortOrder>;

/** Largest page of a payment search. */
export const PAYMENT_SEARCH_MAX_LIMIT = 200;
export const PAYMENT_SEARCH_DEFAULT_LIMIT = 20;

const AmountBound = (description: string) =>
  Type.String({ pattern: Amount.pattern, maxLength: Amount.maxLength, description });

/**
 * The filters of a payment search, shared by `GET /payments` and the CSV export report. Amount bounds
 * are decimal strings in the major unit of `currency`, which they require: amounts of different
 * currencies have different exponents, so they are only comparable within one currency.
 */
const paymentFilterProperties = {
  organizationId: Type.Optional(OrganizationId),
  status: Type.Optional(
    Type.Array(PaymentStatus, {
      minItems: 1,
      maxItems: 5,
      description: 'Any of these statuses (repeat the parameter).',
    }),
  ),
  currency: Type.Optional(CurrencyCode),
  invoiceId: Type.Optional(Uuid),
  minAmount: Type.Optional(AmountBound('Inclusive lower bound, in the major unit of `currency` (which it requires).')),
  maxAmount: Type.Optional(AmountBound('Inclusive upper bound, in the major unit of `currency` (which it requires).')),
  createdFrom: Type.Optional(Instant({ description: 'Created at or after this instant (inclusive).' })),
  createdTo: Type.Optional(
    Instant({
      description: 'Created before this instant (exclusive), so consecutive ranges neither overlap nor leave a gap.',
    }),
  ),
  sort: Type.Optional(Type.Union(sortFields(), { description: SORT_DESCRIPTION, default: 'createdAt' })),
  order: Type.Optional(Type.Union(sortOrders(), { default: 'desc' })),
};

/** The filter of a CSV export request (a JSON body: strict, no coercion). */
export const PaymentSearchFilterSchema = Type.Object(paymentFilterProperties, { additionalProperties: false });
export type PaymentSearchFilterInput = Static<typeof PaymentSearchFilterSchema>;

/** `GET /payments` query string. Unknown parameters are rejected (400), so a misspelt filter never silently matches everything. */
export const PaymentSearchQuery = Type.Object(
  {
    ...paymentFilterProperties,
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: PAYMENT_SEARCH_MAX_LIMIT, default: PAYMENT_SEARCH_DEFAULT_LIMIT }),
    ),
    cursor: Type.Optional(
      Cursor('Opaque: the nextCursor of the previous page, with the same filters, sort and order.'),
    ),
  },
  { additionalProperties: false },
);
export type PaymentSearchQuery = Static<typeof PaymentSearchQuery>;

export const PaymentSearchPage = Type.Object({
  items: Type.Array(PaymentViewSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'null on the last page.' }),
  total: Type.Integer({ minimum: 0, description: 'How many payments match the filters (all pages).' }),
});
export type PaymentSearchPage = Static<typeof PaymentSearchPage>;

/**
 * A validated, canonical payment search: what the query side and the CSV report actually run. JSON
 * only (it is a cache key and a workflow input): amounts are integer minor units of `currency` as
 * decimal strings (int8 does not fit a JSON number), instants are ISO strings, statuses sorted and unique.
 */
export interface PaymentSearchCriteria {
  organizationId?: string;
  /** Limits the search to these organizations (the caller's, sorted, when no organizationId is given); empty matches nothing. */
  organizationIds?: string[];
  statuses?: DomainPaymentStatus[];
  currency?: string;
  /** Only the payments of this invoice (canonical UUID). */
  invoiceId?: string;
  /** Inclusive, minor units of `currency`. */
  minAmountMinor?: string;
  /** Inclusive, minor units of `currency`. */
  maxAmountMinor?: string;
  /** Inclusive. */
  createdFrom?: string;
  /** Exclusive. */
  createdTo?: string;
  sort: PaymentSortField;
  order: SortOrder;
}
