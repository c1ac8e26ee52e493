import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  API_NAMES,
  operationsOf,
  readCommittedDocument,
  type DocumentedOperation,
  type OpenApiDocument,
} from './test-support/openapi-documents';

/**
 * The documentation rules of docs/api.md, checked on every operation of both committed
 * documents (openapi-documents.int.spec.ts proves those are what the services generate): an
 * operationId, a summary, known tags, schemas for what goes in and out, and every error status the
 * operation can answer documented as problem+json.
 */
const PROBLEM_SCHEMA = '#/components/schemas/ProblemDetails';
/** What rate limiting (429), load shedding and unavailable dependencies (503), auth (401) and bugs (500) add to every authenticated route. */
const EVERY_AUTHENTICATED_ROUTE = ['401', '429', '500', '503'];
const WITH_RETRY_AFTER = ['429', '503'];
/** Body size (413) and content type (415) are checked before the handler of every route with a body. */
const EVERY_BODY_ROUTE = ['413', '415'];

const documents = API_NAMES.map((api) => ({ api, document: readCommittedDocument(api) }));
const operations: [string, DocumentedOperation, OpenApiDocument][] = documents.flatMap(({ api, document }) =>
  operationsOf(api, document).map(
    (entry) =>
      [`${api} ${entry.method.toUpperCase()} ${entry.path}`, entry, document] as [
        string,
        DocumentedOperation,
        OpenApiDocument,
      ],
  ),
);

const isAuthenticated = ({ operation }: DocumentedOperation) =>
  !(Array.isArray(operation.security) && operation.security.length === 0);
/** Health, readiness and metrics: unauthenticated probes that answer their own bodies (a readiness report, Prometheus text). */
const isProbe = ({ operation }: DocumentedOperation) => operation.tags?.includes('health') ?? false;
const parameter = ({ operation }: DocumentedOperation, location: string, name?: string) =>
  (operation.parameters ?? []).some(
    (candidate) => candidate.in === location && (name === undefined || candidate.name === name),
  );
const statuses = ({ operation }: DocumentedOperation) => Object.keys(operation.responses ?? {});

describe('the committed OpenAPI documents', () => {
  it('hold both APIs, with operations', () => {
    for (const { document } of documents) expect(Object.keys(document.paths).length).toBeGreaterThan(3);
    expect(operations.length).toBeGreaterThan(20);
  });

  it.each(documents)('$api: operationIds are unique', ({ api, document }) => {
    const ids = operationsOf(api, document).map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("carry the client package's version, which the APIs serve as their contract's version", () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    for (const { document } of documents) expect(document.info.version).toBe(version);
  });

  it('declare the RateLimit and RateLimit-Policy headers (draft-ietf-httpapi-ratelimit-headers)', () => {
    for (const { document } of documents) {
      expect(Object.keys(document.components?.headers ?? {})).toEqual(
        expect.arrayContaining(['RateLimit', 'RateLimit-Policy']),
      );
    }
  });

  it('define the problem+json schema', () => {
    for (const { document } of documents) {
      expect(document.components?.schemas?.ProblemDetails).toMatchObject({
        type: 'object',
        required: expect.arrayContaining(['type', 'title', 'status']),
      });
    }
  });
});

describe.each(operations)('%s', (_name, entry, document) => {
  const { operation } = entry;

  it('has an operationId, a summary and declared tags', () => {
    expect(operation.operationId).toMatch(/^[a-z][A-Za-z]+$/);
    expect(operation.summary?.trim().length).toBeGreaterThan(5);
    expect(operation.tags?.length).toBeGreaterThan(0);
    const declared = (document.tags ?? []).map((tag) => tag.name);
    for (const tag of operation.tags ?? []) expect(declared).toContain(tag);
  });

  it('has a schema for every parameter and for its JSON body', () => {
    for (const candidate of operation.parameters ?? []) expect(candidate.schema).toEqual(expect.any(Object));
    if (operation.requestBody) {
      expect(operation.requestBody.required).toBe(true);
      expect(operation.requestBody.content?.['application/json']?.schema).toEqual(expect.any(Object));
    }
  });

  it('describes every response, with a schema for each body', () => {
    const responses = Object.entries(operation.responses ?? {});
    expect(responses.some(([status]) => /^2\d\d$/.test(status))).toBe(true);
    for (const [status, response] of responses) {
      expect(response.description?.length).toBeGreaterThan(3);
      // 304 Not Modified has no body by definition.
      if (status === '304') continue;
      const media = Object.values(response.content ?? {});
      expect(media.length).toBeGreaterThan(0);
      for (const { schema } of media) expect(schema).toEqual(expect.any(Object));
    }
  });

  it('documents every error status as problem+json', () => {
    for (const [status, response] of Object.entries(operation.responses ?? {})) {
      if (Number(status) < 400 || isProbe(entry)) continue;
      expect({ status, content: response.content }).toEqual({
        status,
        content: { 'application/problem+json': { schema: { $ref: PROBLEM_SCHEMA } } },
      });
    }
  });

  it('documents what authentication, rate limiting, load shedding and bugs can answer', () => {
    if (!isAuthenticated(entry)) return;
    expect(statuses(entry)).toEqual(expect.arrayContaining(EVERY_AUTHENTICATED_ROUTE));
    for (const status of WITH_RETRY_AFTER)
      expect(operation.responses?.[status]?.headers?.['retry-after']?.schema).toEqual(expect.any(Object));
  });

  it('documents the RateLimit fields on every answer when it is rate limited', () => {
    if (!isAuthenticated(entry)) return;
    for (const [status, response] of Object.entries(operation.responses ?? {})) {
      expect({ status, headers: response.headers }).toMatchObject({
        status,
        headers: {
          RateLimit: { $ref: '#/components/headers/RateLimit' },
          'RateLimit-Policy': { $ref: '#/components/headers/RateLimit-Policy' },
        },
      });
    }
  });

  it('documents 413 and 415 when it takes a body', () => {
    if (operation.requestBody) expect(statuses(entry)).toEqual(expect.arrayContaining(EVERY_BODY_ROUTE));
  });

  it('documents 400 when it validates input', () => {
    const validates = (operation.parameters ?? []).length > 0 || operation.requestBody !== undefined;
    if (validates && !isProbe(entry)) expect(statuses(entry)).toContain('400');
  });

  it('documents 404 when its path names a resource', () => {
    // A correlation id names no resource: an unknown one has an empty timeline.
    const namesResource = (operation.parameters ?? []).some(
      (candidate) => candidate.in === 'path' && candidate.name !== 'correlationId',
    );
    if (namesResource) expect(statuses(entry)).toContain('404');
  });

  it('documents 403 when it names an organization or needs the admin role', () => {
    const body = operation.requestBody?.content?.['application/json']?.schema as
      { properties?: Record<string, unknown> } | undefined;
    const namesOrganization =
      parameter(entry, 'query', 'organizationId') || body?.properties?.organizationId !== undefined;
    const needsAdmin = /admin role/.test(operation.summary ?? '');
    if (namesOrganization || needsAdmin) expect(statuses(entry)).toContain('403');
  });

  it('documents 409 when it takes an Idempotency-Key, and 412 when it changes a payment under If-Match', () => {
    if (parameter(entry, 'header', 'idempotency-key')) expect(statuses(entry)).toContain('409');
    if (parameter(entry, 'header', 'if-match') && parameter(entry, 'path', 'paymentId'))
      expect(statuses(entry)).toContain('412');
  });
});
