import type { PaymentSearchCriteria, PaymentSearchFilterInput } from '@gyroscops/contracts';
import { findCurrency, isDomainError, parseAmount } from '@gyroscops/domain';
import { ApplicationError, type FieldProblem } from '@gyroscops/platform';

/** `0`, `0.0`...: a lower bound of zero is a fine filter, though no payment amount is zero. */
const ZERO = /^0+(\.0+)?$/;

/**
 * Validates the filters of a payment search (the query string of `GET /payments`, the `filter` of a
 * CSV report) and turns them into canonical criteria: equal searches give equal criteria, hence one
 * cache entry, one cursor fingerprint and one report id. `pathPrefix` names where the filters came
 * from in error paths (`querystring:`, `body:/filter`).
 *
 * Amount bounds need `currency` (400 otherwise): minor units are only comparable within a currency,
 * and a bound in major units only has one meaning once the currency's exponent is known.
 */
export function toPaymentSearchCriteria(filter: PaymentSearchFilterInput, pathPrefix: string): PaymentSearchCriteria {
  const problems: FieldProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ path: `${pathPrefix}/${field}`, message });
  const criteria: PaymentSearchCriteria = { sort: filter.sort ?? 'createdAt', order: filter.order ?? 'desc' };

  if (filter.organizationId !== undefined) criteria.organizationId = filter.organizationId;
  if (filter.status !== undefined) criteria.statuses = [...new Set(filter.status)].sort();
  if (filter.invoiceId !== undefined) criteria.invoiceId = filter.invoiceId;
  if (filter.currency !== undefined) {
    if (findCurrency(filter.currency)) criteria.currency = filter.currency;
    else problem('currency', 'must be a supported ISO 4217 currency code');
  }

  const bounds: ['minAmount' | 'maxAmount', 'minAmountMinor' | 'maxAmountMinor'][] = [
    ['minAmount', 'minAmountMinor'],
    ['maxAmount', 'maxAmountMinor'],
  ];
  for (const [field, target] of bounds) {
    const amount = filter[field];
    if (amount === undefined) continue;
    if (filter.currency === undefined) {
      problem(field, 'needs `currency`: amounts of different currencies are not comparable');
      continue;
    }
    if (criteria.currency === undefined) continue;
    const minor = amountToMinor(amount, criteria.currency, `${pathPrefix}/${field}`, problems);
    if (minor !== undefined) criteria[target] = minor.toString();
  }
  if (
    criteria.minAmountMinor !== undefined &&
    criteria.maxAmountMinor !== undefined &&
    BigInt(criteria.minAmountMinor) > BigInt(criteria.maxAmountMinor)
  ) {
    problem('maxAmount', 'must not be below minAmount');
  }

  // Schema validation already checked the date-time format; the ISO form makes them canonical.
  if (filter.createdFrom !== undefined) criteria.createdFrom = new Date(filter.createdFrom).toISOString();
  if (filter.createdTo !== undefined) criteria.createdTo = new Date(filter.createdTo).toISOString();
  if (
    criteria.createdFrom !== undefined &&
    criteria.createdTo !== undefined &&
    criteria.createdFrom > criteria.createdTo
  ) {
    problem('createdTo', 'must not be before createdFrom');
  }

  if (problems.length > 0)
    throw new ApplicationError('VALIDATION', problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
  return criteria;
}

/** Minor units of an amount bound, with the currency's own rules (decimals, upper limit); zero allowed. */
function amountToMinor(amount: string, currency: string, path: string, problems: FieldProblem[]): bigint | undefined {
  try {
    if (ZERO.test(amount)) {
      // parseAmount refuses zero (a payment of zero is not a payment); still check the decimals.
      parseAmount(`1${amount.includes('.') ? amount.slice(amount.indexOf('.')) : ''}`, currency, path);
      return 0n;
    }
    return parseAmount(amount, currency, path);
  } catch (error) {
    if (!isDomainError(error)) throw error;
    problems.push(...error.errors.map((each) => ({ path, message: each.message })));
    return undefined;
  }
}
