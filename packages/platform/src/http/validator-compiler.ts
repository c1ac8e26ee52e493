import Ajv, { type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { CANONICAL_FORM_KEYWORD, canonicalUuid, isSupportedDay, isSupportedInstant } from '@gyroscops/contracts';

function createAjv(options: Options): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, ...options });
  addFormats(ajv);
  addInstantFormats(ajv);
  addCanonicalForm(ajv);
  return ajv;
}

/**
 * `date-time` and `date` as the services support them (contracts' Instant and Day), replacing
 * ajv-formats' syntactic checks, which accept a leap second, year 0 and days JavaScript and Postgres
 * cannot both represent: every accepted value parses to a real instant from 1970 to 9999, so no
 * handler meets an Invalid Date. Any schema with these formats gets it, whatever type declared it.
 */
function addInstantFormats(ajv: Ajv): void {
  ajv.addFormat('date-time', { type: 'string', validate: isSupportedInstant });
  ajv.addFormat('date', { type: 'string', validate: isSupportedDay });
}

/**
 * The contracts' Uuid type names its canonical spelling (CANONICAL_FORM_KEYWORD): a valid value is
 * rewritten to it in place, so what the handlers, idempotency hashes, workflow ids and cache keys see
 * is one spelling per id. A bare value (no parent object to write into) is left as it is.
 */
function addCanonicalForm(ajv: Ajv): void {
  ajv.addKeyword({
    keyword: CANONICAL_FORM_KEYWORD,
    type: 'string',
    schemaType: 'string',
    modifying: true,
    errors: false,
    compile(form: string) {
      if (form !== 'lowercase') throw new Error(`${CANONICAL_FORM_KEYWORD}: unknown form ${form}`);
      return (data: string, context?: Parameters<ValidateFunction>[1]) => {
        if (context?.parentData !== undefined) context.parentData[context.parentDataProperty] = canonicalUuid(data);
        return true;
      };
    },
  });
}

/**
 * Bodies are validated strictly: unknown fields are rejected (not silently dropped) and "5" is never
 * taken for 5, so money cannot sneak in as a JSON number. Query strings, params and headers arrive as
 * text, so they are coerced (and a repeated query parameter becomes an array).
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = createAjv({ removeAdditional: false, coerceTypes: false, useDefaults: true });
  const lenient = createAjv({ removeAdditional: false, coerceTypes: 'array', useDefaults: true });
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : lenient).compile(schema as object);
}
