import Ajv, { type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

function createAjv(options: Options): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, ...options });
  addFormats(ajv);
  return ajv;
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
