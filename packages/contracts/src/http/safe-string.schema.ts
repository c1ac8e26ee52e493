import { Type, type StringOptions, type TString } from '@sinclair/typebox';

/**
 * What a string the services accept may not hold: U+0000, which Postgres `text` and `jsonb` refuse,
 * and lone UTF-16 surrogates (U+D800..U+DFFF on their own), which are not Unicode text and do not
 * survive encoding to UTF-8. Validators compile patterns with the `u` flag (Ajv does by default), so a
 * surrogate pair (an emoji) is one code point outside the class and passes.
 */
export const SAFE_STRING_PATTERN = '^[^\\u0000\\uD800-\\uDFFF]*$';

const SAFE_STRING = new RegExp(SAFE_STRING_PATTERN, 'u');

/** True for a string every store and wire format of the platform can keep as it is. */
export function isSafeString(value: unknown): value is string {
  return typeof value === 'string' && SAFE_STRING.test(value);
}

/**
 * The string type of every schema that takes text from a client: what `SAFE_STRING_PATTERN` refuses
 * is a 400 at the edge instead of a failure deep in a workflow or a query. Strings with a pattern of
 * their own (amounts, codes, ids) already exclude both.
 */
export function SafeString(options: Omit<StringOptions, 'pattern' | 'format'> = {}): TString {
  return Type.String({ ...options, pattern: SAFE_STRING_PATTERN });
}
