import { readFileSync } from 'node:fs';

/**
 * The operations an API's committed OpenAPI document lists, as the fuzzer walks them: a route added
 * to an API is in its document (a test fails while the document is stale), so it is fuzzed without
 * touching the fuzzer.
 */

export interface JsonSchema {
  type?: string | string[];
  format?: string;
  pattern?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  patternProperties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  examples?: unknown[];
  $ref?: string;
}

export interface FuzzParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonSchema;
}

export interface FuzzOperation {
  id: string;
  method: string;
  /** The path template, `/payments/{paymentId}`. */
  path: string;
  parameters: FuzzParameter[];
  /** The JSON body's schema, when the operation takes one. */
  body?: JsonSchema;
  /** False for the public routes (`security: []`): health, metrics. */
  authenticated: boolean;
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        operationId?: string;
        parameters?: (FuzzParameter & { $ref?: string })[];
        requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
        security?: unknown[];
      }
    >
  >;
  components?: { schemas?: Record<string, JsonSchema>; parameters?: Record<string, FuzzParameter> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every operation of an OpenAPI 3 document, `$ref`s resolved. */
export function loadOperations(documentPath: string): FuzzOperation[] {
  const document = JSON.parse(readFileSync(documentPath, 'utf8')) as OpenApiDocument;
  const resolve = <T>(node: T, seen = new Set<string>()): T => {
    if (Array.isArray(node)) return node.map((item) => resolve(item, seen)) as T;
    if (node === null || typeof node !== 'object') return node;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === 'string') {
      if (seen.has(ref)) return {} as T;
      const target = ref
        .replace(/^#\//, '')
        .split('/')
        .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], document);
      return resolve(target as T, new Set([...seen, ref]));
    }
    return Object.fromEntries(Object.entries(node as object).map(([key, value]) => [key, resolve(value, seen)])) as T;
  };
  const operations: FuzzOperation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const parameters = resolve(operation.parameters ?? [])
        .filter((parameter) => parameter.in === 'path' || parameter.in === 'query' || parameter.in === 'header')
        .map((parameter) => ({
          name: parameter.name,
          in: parameter.in,
          required: parameter.required === true,
          schema: parameter.schema ?? {},
        }));
      const body = resolve(operation.requestBody?.content?.['application/json']?.schema);
      operations.push({
        id: operation.operationId ?? `${method} ${path}`,
        method: method.toUpperCase(),
        path,
        parameters,
        ...(body ? { body } : {}),
        authenticated: !(Array.isArray(operation.security) && operation.security.length === 0),
      });
    }
  }
  return operations;
}
