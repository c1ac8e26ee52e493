import { Type, type Static } from '@sinclair/typebox';
import { SafeString } from './safe-string.schema';

/**
 * A UUID has one canonical spelling: lower case without a `urn:uuid:` prefix, the way Postgres
 * prints a `uuid` column and randomUUID makes one. Where an id is text (a stream id, a workflow id, a
 * cache key) `3202C11A-…`, `urn:uuid:3202c11a-…` and `3202c11a-…` would be three ids, so every value
 * of the Uuid type is rewritten to it while it is validated (this keyword, implemented by the
 * platform's validator compiler): params, query strings and bodies alike, in any schema using the type.
 */
export const CANONICAL_FORM_KEYWORD = 'x-canonical-form';

/** The canonical spelling of a UUID (see CANONICAL_FORM_KEYWORD), for ids that did not come through the edge's validation. */
export { canonicalUuid } from '../workflows/canonical-payment-command';

export const Uuid = Type.String({
  format: 'uuid',
  [CANONICAL_FORM_KEYWORD]: 'lowercase',
  description: 'A UUID, in any case; the API stores and answers it in lower case.',
});

/** Money crosses the wire as a decimal string in the currency's major unit, never a JSON number. */
export const Amount = Type.String({
  pattern: '^\\d+(\\.\\d+)?$',
  maxLength: 32,
  description:
    'Decimal string in the major unit ("100.00" EUR, "1500" JPY); as many decimals as the currency allows at most.',
  examples: ['100.00'],
});

export const CurrencyCode = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code.', examples: ['EUR'] });

export const Description = SafeString({ maxLength: 500 });

/** A client's organization id, as bodies and query strings name it. */
export const OrganizationId = SafeString({ minLength: 1, maxLength: 100 });

/** Keys are checked by `propertyNames`: a Record's key schema is not validated by itself. */
export const Metadata = Type.Record(Type.String(), SafeString({ maxLength: 500 }), {
  maxProperties: 20,
  propertyNames: SafeString({ minLength: 1, maxLength: 100 }),
  description: 'A flat object of at most 20 string values of at most 500 characters.',
});

/** Global event position: a decimal string because int8 does not fit a JSON number. */
export const Position = Type.String({ pattern: '^\\d+$', description: 'Global event position (decimal string).' });

export const PaymentStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('processed'),
  Type.Literal('failed'),
  Type.Literal('partially_refunded'),
  Type.Literal('refunded'),
]);

export const PaymentIdParams = Type.Object({ paymentId: Uuid }, { additionalProperties: false });
export type PaymentIdParams = Static<typeof PaymentIdParams>;
