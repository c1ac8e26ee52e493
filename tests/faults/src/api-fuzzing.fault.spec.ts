/**
 * Fuzzing of both APIs against the real processes, driven by their committed OpenAPI documents
 * (packages/api-client/openapi), so an operation added to an API is fuzzed as soon as its document
 * lists it. For every operation: first a sweep, every parameter, header and body field with each
 * class of hostile value (impossible dates, ids in every case, numbers past 64 bits, NUL bytes, lone
 * surrogates, control characters, oversized values, wrong JSON types; support/fuzz-values) and every
 * request-level part with each of its hostile forms (tokens, content types, malformed bodies, forged
 * cursors, oversized headers; support/fuzz-requests), the rest of the request valid; then random
 * requests (fast-check). Requests go out as raw HTTP/1.1 bytes, so nothing is cleaned on the way.
 *
 * Any 5xx fails (but read-your-writes' documented 503 with Retry-After), so does any error whose body
 * is not problem+json, a refused request that appended an event, and an accepted command that then
 * failed with an internal error. Afterwards every read model must equal a fold of the event store.
 * Deterministic (fixed seeds; FAULT_FUZZ_SEED changes them, FAULT_FUZZ_RUNS the random requests per
 * operation) and bounded: about 20 s per API on an idle 2-core machine.
 *
 * Before that, the hostile inputs a black-box probe found passing validation, one by one.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { createSigner } from 'fast-jwt';
import { waitFor } from '@gyroscops/dev-infra';
import { mintToken } from '@gyroscops/platform';
import { readModelDifferences } from '@gyroscops/read-models';
import { createPayments } from './support/create-payments';
import { countAllEvents } from './support/event-store-facts';
import { REPOSITORY_ROOT, startFaultStack, type FaultStack } from './support/fault-stack';
import { loadOperations, type FuzzOperation } from './support/fuzz-openapi';
import {
  realizeRequest,
  requestRecipe,
  sweepRecipes,
  type AuthRecipe,
  type RealizedRequest,
} from './support/fuzz-requests';
import { FuzzMemory } from './support/fuzz-values';
import { sendRaw, type RawResponse } from './support/fuzz-raw-http';
import { FAULT_JWT_SECRET, FAULT_ORGANIZATIONS } from './support/http';
import { waitForProjectionsCaughtUp } from './support/projections-caught-up';

const RUNS_PER_OPERATION = Number(process.env.FAULT_FUZZ_RUNS ?? 20);
const SEED = Number(process.env.FAULT_FUZZ_SEED ?? 20_261_206);
/** A refused request is refused at once: no workflow runs first (the old NUL-byte path took 25 s). */
const PROMPT_REFUSAL_MS = 5_000;

const APIS = [
  {
    name: 'command-api',
    document: join(REPOSITORY_ROOT, 'packages/api-client/openapi/command-api.json'),
    url: () => stack.commandUrl,
  },
  {
    name: 'query-api',
    document: join(REPOSITORY_ROOT, 'packages/api-client/openapi/query-api.json'),
    url: () => stack.queryUrl,
  },
] as const;

let stack: FaultStack;
const memory = new FuzzMemory();
/** Answers per operation and status, to check that the fuzzing gets past validation too. */
const statusCounts: Record<string, Record<number, number>> = {};

const sign = (claims: Record<string, unknown>, options: { ttlSeconds?: number; now?: number } = {}) =>
  `Bearer ${mintToken(FAULT_JWT_SECRET, claims as never, options)}`;

/** The Authorization header of each kind of caller the fuzzer plays. */
function authorization(auth: AuthRecipe): string | undefined {
  const admin = { sub: 'fuzzer', orgs: FAULT_ORGANIZATIONS, roles: ['admin'] };
  switch (auth) {
    case 'admin':
      return sign(admin);
    case 'member':
      return sign({ sub: 'member', orgs: FAULT_ORGANIZATIONS });
    case 'stranger':
      return sign({ sub: 'stranger', orgs: ['org-elsewhere'] });
    case 'none':
      return undefined;
    case 'garbage':
      return 'Bearer not.a.jwt';
    case 'expired':
      return sign(admin, { ttlSeconds: -60 });
    case 'other-secret':
      return `Bearer ${mintToken('another-secret-another-secret-another-secret', admin)}`;
    case 'no-exp':
      return `Bearer ${createSigner({ key: FAULT_JWT_SECRET, algorithm: 'HS256' })(admin)}`;
    case 'too-long':
      return sign(admin, { ttlSeconds: 400 * 86_400 });
    case 'nul-in-orgs':
      return sign({ ...admin, orgs: ['org-fault-a', 'org\u0000x'] });
    case 'surrogate-in-sub':
      return sign({ ...admin, sub: 'fuzz\uD800er' });
    default: {
      const _exhaustive: never = auth;
      return _exhaustive;
    }
  }
}

function send(baseUrl: string, request: Omit<RealizedRequest, 'query' | 'readYourWrites'>): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return sendRaw(url.hostname, Number(url.port), request);
}

const describeRequest = (request: RealizedRequest) =>
  `${request.method} ${request.target.slice(0, 300)}${request.target.length > 300 ? '…' : ''}\n  headers: ${JSON.stringify(request.headers.map(([name, value]) => [name, value.slice(0, 120)]))}` +
  (request.body ? `\n  body: ${request.body.toString('utf8').slice(0, 400)}` : '');

/** What is wrong with an answer, by the contract: a 5xx (but read-your-writes' 503), or an error that is not problem+json. */
function contractViolations(request: RealizedRequest, response: RawResponse): string[] {
  const violations: string[] = [];
  const deliberate503 =
    response.status === 503 && request.readYourWrites && response.headers['retry-after'] !== undefined;
  if (response.status >= 500 && !deliberate503) violations.push(`answered ${response.status}`);
  if (response.status >= 400) {
    if (!/^application\/problem\+json/.test(response.headers['content-type'] ?? ''))
      violations.push(`a ${response.status} with content-type ${response.headers['content-type']}`);
    const problem = response.json as { status?: unknown; title?: unknown; type?: unknown } | undefined;
    if (
      typeof problem !== 'object' ||
      problem === null ||
      problem.status !== response.status ||
      typeof problem.title !== 'string' ||
      typeof problem.type !== 'string'
    ) {
      violations.push(`a ${response.status} whose body is not a problem: ${response.text.slice(0, 300)}`);
    }
  }
  return violations;
}

/** An accepted command runs on: wait for its end, which must not be an internal error. */
async function commandOutcomeViolation(commandId: string): Promise<string | undefined> {
  const status = await waitFor(
    `command ${commandId} to finish`,
    async () => {
      const answer = await send(stack.commandUrl, {
        method: 'GET',
        target: `/commands/${commandId}`,
        headers: [['authorization', authorization('admin')!]],
      });
      const body = answer.json as { state?: string; error?: { status?: number; code?: string } } | undefined;
      return answer.status === 200 && body?.state !== 'running' ? body : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 100 },
  );
  if (status?.state === 'failed' && (status.error?.status ?? 500) >= 500)
    return `the accepted command ${commandId} failed: ${JSON.stringify(status.error)}`;
  return undefined;
}

/**
 * Sends one request and checks the answer and what it did: the contract, nothing appended by a
 * refusal, no accepted command failing internally. What a success answers is remembered.
 */
async function exchangeAndCheck(
  baseUrl: string,
  operation: FuzzOperation,
  request: RealizedRequest,
): Promise<RawResponse> {
  const before = await countAllEvents(stack.eventStore);
  const response = await send(baseUrl, request);
  const violations = contractViolations(request, response);
  const commandId = (response.json as { commandId?: unknown } | undefined)?.commandId;
  if (response.status === 202 && typeof commandId === 'string') {
    const failure = await commandOutcomeViolation(commandId);
    if (failure) violations.push(failure);
  }
  if (response.status >= 400) {
    const after = await countAllEvents(stack.eventStore);
    if (after !== before) violations.push(`refused with ${response.status} but appended ${after - before} event(s)`);
  }
  const counts = (statusCounts[operation.id] ??= {});
  counts[response.status] = (counts[response.status] ?? 0) + 1;
  if (violations.length > 0)
    throw new Error(
      `${operation.id}: ${violations.join('; ')}\n  ${describeRequest(request)}\n  answer: ${response.status} ${response.text.slice(0, 500)}`,
    );
  if (response.status < 300 && response.json !== undefined) {
    memory.harvest(response.json);
    const nextCursor = (response.json as { nextCursor?: unknown }).nextCursor;
    if (typeof nextCursor === 'string')
      memory.cursors.push({
        operationId: operation.id,
        query: request.query.filter(([name]) => name !== 'cursor'),
        cursor: nextCursor,
      });
  }
  return response;
}

beforeAll(async () => {
  stack = await startFaultStack({
    env: {
      READ_YOUR_WRITES_DEFAULT_WAIT_MS: '50',
      READ_YOUR_WRITES_MAX_WAIT_MS: '200',
      COMMAND_RESULT_TIMEOUT_MS: '20000',
    },
  });
  for (const organizationId of FAULT_ORGANIZATIONS) memory.remember('organizationId', organizationId);
  for (const payment of await createPayments(stack.commandUrl, 6)) memory.harvest(payment);
  await waitForProjectionsCaughtUp(stack.readDb, stack.eventStore);
  // Pages of one item, so every listing with a cursor has answered one to forge from.
  for (const api of APIS) {
    for (const operation of loadOperations(api.document)) {
      const names = operation.parameters.map((parameter) => parameter.name);
      if (operation.method !== 'GET' || !names.includes('cursor') || !names.includes('limit')) continue;
      const required = operation.parameters.filter((parameter) => parameter.required && parameter.in === 'query');
      const query: [string, string][] = [
        ['limit', '1'],
        ...required.map((parameter): [string, string] => [parameter.name, memory.valuesOf(parameter.name)[0] ?? '']),
      ];
      const target = `${operation.path}?${query.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&')}`;
      await exchangeAndCheck(api.url(), operation, {
        method: 'GET',
        target,
        query,
        headers: [['authorization', authorization('admin')!]],
        readYourWrites: false,
      });
    }
  }
});

afterAll(async () => {
  await stack?.stop();
});

describe('hostile inputs that used to pass validation: refused at once with a problem, nothing appended', () => {
  const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');
  const payment = { organizationId: 'org-fault-a', amount: '10.00', currency: 'EUR' };
  const paymentId = () => memory.valuesOf('paymentId')[0]!;
  const admin = () => authorization('admin')!;

  type Case = [string, 'command-api' | 'query-api', () => Omit<RealizedRequest, 'query' | 'readYourWrites'>, number];
  const get =
    (target: string, token: () => string | undefined = admin) =>
    () => ({
      method: 'GET',
      target,
      headers: token() === undefined ? [] : [['authorization', token()!] as [string, string]],
    });
  const post = (method: string, target: () => string, body: unknown) => () => ({
    method,
    target: target(),
    headers: [
      ['authorization', admin()],
      ['content-type', 'application/json'],
    ] as [string, string][],
    body: json(body),
  });

  it.each<Case>([
    ['a leap second in GET /payments?createdFrom', 'query-api', get('/payments?createdFrom=2016-12-31T23:59:60Z'), 400],
    ['a leap second in GET /events?from', 'query-api', get('/events?from=2016-12-31T23:59:60Z'), 400],
    [
      'a leap second in GET /analytics/events?from',
      'query-api',
      get('/analytics/events?from=2016-12-31T23:59:60Z&to=2017-01-02T00:00:00Z'),
      400,
    ],
    [
      'a leap second in a statistics report',
      'query-api',
      post('POST', () => '/reports', {
        kind: 'payment-statistics',
        organizationId: 'org-fault-a',
        from: '2016-12-31T23:59:60Z',
        to: '2017-01-02T00:00:00Z',
      }),
      400,
    ],
    [
      'a leap second in a CSV report filter',
      'query-api',
      post('POST', () => '/reports', { kind: 'payment-export-csv', filter: { createdFrom: '2016-12-31T23:59:60Z' } }),
      400,
    ],
    [
      'year 0 in GET /statistics/payments?from',
      'query-api',
      get('/statistics/payments?organizationId=org-fault-a&from=0000-01-01'),
      400,
    ],
    [
      'a NUL byte in a description',
      'command-api',
      post('POST', () => '/payments', { ...payment, description: 'a\u0000b' }),
      400,
    ],
    [
      'a lone surrogate in a description',
      'command-api',
      post('POST', () => '/payments', { ...payment, description: 'a\uD800b' }),
      400,
    ],
    [
      'a NUL byte in a metadata key',
      'command-api',
      post('POST', () => '/payments', { ...payment, metadata: { 'k\u0000': 'v' } }),
      400,
    ],
    [
      'a NUL byte in a metadata value',
      'command-api',
      post('POST', () => '/payments', { ...payment, metadata: { k: 'v\u0000' } }),
      400,
    ],
    [
      'a NUL byte in a PATCH description',
      'command-api',
      post('PATCH', () => `/payments/${paymentId()}`, { description: 'a\u0000b' }),
      400,
    ],
    [
      'a NUL byte in a refund reason',
      'command-api',
      post('POST', () => `/payments/${paymentId()}/refunds`, { amount: '1.00', reason: 'a\u0000b' }),
      400,
    ],
    [
      'a NUL byte in the orgs of a token (GET /payments)',
      'query-api',
      get('/payments', () => authorization('nul-in-orgs')),
      401,
    ],
    [
      'a NUL byte in the orgs of a token (GET /events)',
      'query-api',
      get('/events', () => authorization('nul-in-orgs')),
      401,
    ],
    [
      'a NUL byte in the orgs of a token (GET /statistics/payments)',
      'query-api',
      get('/statistics/payments?organizationId=org-fault-a', () => authorization('nul-in-orgs')),
      401,
    ],
    ['a token without exp', 'query-api', get('/payments', () => authorization('no-exp')), 401],
    [
      'a token living 400 days',
      'command-api',
      get('/commands/00000000-0000-4000-8000-000000000000', () => authorization('too-long')),
      401,
    ],
    ['a 201-character path parameter', 'query-api', get(`/payments/${'a'.repeat(201)}`), 414],
    [
      'headers larger than the server takes',
      'command-api',
      () => ({
        method: 'GET',
        target: '/commands/00000000-0000-4000-8000-000000000000',
        headers: [
          ['authorization', admin()],
          ['x-padding', 'p'.repeat(20_000)],
        ],
      }),
      431,
    ],
  ])('%s', async (_name, api, build, status) => {
    const baseUrl = api === 'command-api' ? stack.commandUrl : stack.queryUrl;
    const before = await countAllEvents(stack.eventStore);
    const response = await send(baseUrl, build());
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json).toMatchObject({ status, title: expect.any(String), type: expect.any(String) });
    expect(response.durationMs).toBeLessThan(PROMPT_REFUSAL_MS);
    expect(await countAllEvents(stack.eventStore)).toBe(before);
  });

  it.each<[string, string, (key: string[]) => string[]]>([
    ['a date of February 30', '/payments?limit=1', (key) => ['2026-02-30T00:00:00.000000Z', key[1]!]],
    ['a date in year 0', '/payments?limit=1', (key) => ['0000-01-01T00:00:00.000000Z', key[1]!]],
    ['an amount past int8', '/payments?limit=1&sort=amount', (key) => [key[0]!, '9999999999999999999', key[2]!]],
    ['an event position past int8', '/events?limit=1', () => ['9999999999999999999']],
  ])('a real cursor forged with %s is a 400 (%s)', async (_name, firstPage, change) => {
    const page = await send(stack.queryUrl, {
      method: 'GET',
      target: firstPage,
      headers: [['authorization', admin()]],
    });
    const cursor = (page.json as { nextCursor?: string }).nextCursor!;
    const body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { p: string[] };
    const forgedCursor = Buffer.from(JSON.stringify({ ...body, p: change(body.p) }), 'utf8').toString('base64url');
    const response = await send(stack.queryUrl, {
      method: 'GET',
      target: `${firstPage}&cursor=${forgedCursor}`,
      headers: [['authorization', admin()]],
    });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json).toMatchObject({ status: 400, errors: [{ path: 'querystring:/cursor' }] });
  });
});

describe.each(APIS)('$name, fuzzed from its OpenAPI document', (api) => {
  it(`every field with each class of hostile value, then ${RUNS_PER_OPERATION} random requests per operation: never a 5xx or an error that is not problem+json, nothing appended by a refusal; then every read model equals the event store's fold`, async () => {
    const operations = loadOperations(api.document);
    expect(operations.length).toBeGreaterThan(0);
    for (const [index, operation] of operations.entries()) {
      for (const recipe of sweepRecipes(operation, SEED + index * 1_000))
        await exchangeAndCheck(api.url(), operation, realizeRequest(operation, recipe, memory, authorization));
      await fc.assert(
        fc.asyncProperty(requestRecipe(operation), async (recipe) => {
          await exchangeAndCheck(api.url(), operation, realizeRequest(operation, recipe, memory, authorization));
        }),
        { numRuns: RUNS_PER_OPERATION, seed: SEED + index, endOnFailure: true },
      );
    }
    // Valid requests reach the code behind validation: a fuzzer that only ever got 400s would prove little.
    const answers = operations.flatMap((operation) => Object.entries(statusCounts[operation.id] ?? {}));
    const successes = answers.filter(([status]) => Number(status) < 300).reduce((sum, [, count]) => sum + count, 0);
    const total = answers.reduce((sum, [, count]) => sum + count, 0);
    expect({ successShare: successes / total >= 0.05, statusCounts }).toMatchObject({ successShare: true });
    await waitForProjectionsCaughtUp(stack.readDb, stack.eventStore);
    expect(await readModelDifferences(stack.eventStore, stack.readDb)).toEqual([]);
  });
});
