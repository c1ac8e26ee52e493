import {
  cacheTags,
  PAYMENT_SEARCH_DEFAULT_LIMIT,
  PROJECTIONS,
  type PaymentSearchCriteria,
  type PaymentSearchPage,
  type PaymentSearchQuery,
} from '@gyroscops/contracts';
import { withTablesOf } from '@gyroscops/platform';
import { countPayments, isValidPaymentSearchKey, searchPayments, type PaymentReadTables } from '@gyroscops/read-models';
import { decodeCursor, encodeCursor, queryFingerprint } from '../cursor';
import type { QueryHandler } from '../query-bus/query-handler';
import { toPaymentSearchCriteria } from './payment-search-criteria';
import { toPaymentBody } from './payment-body';

const CURSOR_KIND = 'payments';

/** A validated search: canonical criteria, page size and where the page starts. JSON only: it is a cache key. */
export interface PaymentSearchParams {
  criteria: PaymentSearchCriteria;
  limit: number;
  /** The keyset position from the cursor; null for the first page. */
  after: string[] | null;
}

/**
 * Turns `GET /payments`'s query string into search parameters: 400 for filters that do not fit
 * together (amount bounds without a currency, reversed ranges) and for a cursor of another query.
 */
export function paymentSearchParams(
  query: PaymentSearchQuery,
  scope: (criteria: PaymentSearchCriteria) => PaymentSearchCriteria = (criteria) => criteria,
): PaymentSearchParams {
  const { limit, cursor, ...filter } = query;
  // Scoped before the cursor is checked: the cursor fingerprint covers the caller's organizations too.
  const criteria = scope(toPaymentSearchCriteria(filter, 'querystring:'));
  let after: string[] | null = null;
  if (cursor !== undefined) {
    // The read model's check of its own key, once: the parts, their number, int8 and instant bounds.
    after = decodeCursor(cursor, CURSOR_KIND, queryFingerprint(CURSOR_KIND, criteria), (position) =>
      isValidPaymentSearchKey(criteria.sort, position),
    );
  }
  return { criteria, limit: limit ?? PAYMENT_SEARCH_DEFAULT_LIMIT, after };
}

/**
 * `GET /payments`: one keyset page of the payments read model and the number of all matches. Tagged
 * with the organization it is limited to (a batch touching any payment of it drops the entry), else
 * with the whole projection.
 */
export const paymentSearchQuery: QueryHandler<PaymentSearchParams, PaymentSearchPage> = {
  type: 'payment-search',
  projections: [PROJECTIONS.payments],
  cache: {
    tags: ({ criteria }) =>
      criteria.organizationId !== undefined
        ? [cacheTags.organization(criteria.organizationId)]
        : criteria.organizationIds !== undefined
          ? criteria.organizationIds.map((organizationId) => cacheTags.organization(organizationId))
          : [cacheTags.projection(PROJECTIONS.payments)],
  },
  async handle({ criteria, limit, after }, { readDb }) {
    const db = withTablesOf<PaymentReadTables>(readDb);
    const [page, total] = await Promise.all([
      searchPayments(db, criteria, { limit, after: after ?? undefined }),
      countPayments(db, criteria),
    ]);
    return {
      items: page.items.map(toPaymentBody),
      nextCursor:
        page.nextKey === null ? null : encodeCursor(CURSOR_KIND, queryFingerprint(CURSOR_KIND, criteria), page.nextKey),
      total,
    };
  },
};
