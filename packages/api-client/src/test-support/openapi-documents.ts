import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of an OpenAPI 3.1 document the contract tests look at. */
export interface OpenApiDocument {
  info: { title: string; version: string };
  tags?: { name: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, unknown>; headers?: Record<string, unknown> };
}

export interface OpenApiOperation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { in: string; name: string; required?: boolean; schema?: unknown }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, OpenApiResponse>;
}

export interface OpenApiResponse {
  description?: string;
  headers?: Record<string, { schema?: unknown; $ref?: string }>;
  content?: Record<string, { schema?: { $ref?: string } & Record<string, unknown> }>;
}

export const API_NAMES = ['command-api', 'query-api'] as const;
export type ApiName = (typeof API_NAMES)[number];

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);

/** The committed document of one API (packages/api-client/openapi/<api>.json). */
export function readCommittedDocument(api: ApiName): OpenApiDocument {
  return JSON.parse(readFileSync(join(__dirname, '..', '..', 'openapi', `${api}.json`), 'utf8')) as OpenApiDocument;
}

export interface DocumentedOperation {
  api: ApiName;
  method: string;
  path: string;
  operation: OpenApiOperation;
}

/** Every operation of a document, in path order. */
export function operationsOf(api: ApiName, document: OpenApiDocument): DocumentedOperation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.has(method))
      .map(([method, operation]) => ({ api, method, path, operation })),
  );
}
