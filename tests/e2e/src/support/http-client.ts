import {
  createCommandApiClient,
  createQueryApiClient,
  type CommandApiClient,
  type QueryApiClient,
} from '@gyroscops/api-client';
import { mintToken, type TokenClaims } from '@gyroscops/platform';

/** The HS256 secret the test stack's APIs verify tokens with (test-only). */
export const TEST_JWT_SECRET = 'e2e-test-secret-only-for-tests-0123456789abcdef';

/**
 * The caller the clients act as unless a request carries its own Authorization header: each test
 * file grants it the organizations it uses (`grantOrganizations`), so the APIs' organization checks
 * run in every test. It has the admin role (projection admin routes, platform-wide aggregates).
 */
const defaultCaller: TokenClaims & { orgs: string[] } = { sub: 'e2e-user', orgs: [], roles: ['admin'] };

/** Lets the default caller act on these organizations; returns the first, for `const org = grantOrganizations(...)`. */
export function grantOrganizations(...organizations: string[]): string {
  for (const organization of organizations)
    if (!defaultCaller.orgs.includes(organization)) defaultCaller.orgs.push(organization);
  return organizations[0] ?? '';
}

/** An Authorization header value for a token with these claims, signed with the test secret (ttlSeconds < 0: expired). */
export function bearer(claims: TokenClaims, options: { ttlSeconds?: number; secret?: string } = {}): string {
  return `Bearer ${mintToken(options.secret ?? TEST_JWT_SECRET, claims, { ttlSeconds: options.ttlSeconds ?? 600 })}`;
}

/** Both generated clients of one running stack. */
export interface ApiClients {
  command: CommandApiClient;
  query: QueryApiClient;
}

/**
 * The generated clients (@gyroscops/api-client) against a running stack: every e2e test calls the
 * APIs through them, so a contract change that breaks a caller breaks the tests (at type-check for
 * paths, parameters and bodies; at run time for statuses and bodies). By default they act as the
 * default caller, with a token minted per request (the organizations granted so far); a request's
 * own `headers: { authorization }` wins. `{ anonymous: true }`: no token at all.
 */
export function apiClients(
  urls: { commandUrl: string; queryUrl: string },
  options: { anonymous?: boolean } = {},
): ApiClients {
  const token = options.anonymous ? undefined : () => mintToken(TEST_JWT_SECRET, defaultCaller, { ttlSeconds: 600 });
  return {
    command: createCommandApiClient({ baseUrl: urls.commandUrl, token }),
    query: createQueryApiClient({ baseUrl: urls.queryUrl, token }),
  };
}

/** A response as the tests look at it: the status, the headers and the parsed body (data or problem). */
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** What an openapi-fetch call resolves to. */
interface FetchResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** Awaits a client call and flattens it to `{ status, headers, body }` (the data, or the problem+json). */
export async function answer<T = any>(request: Promise<FetchResult>): Promise<ApiResponse<T>> {
  const { data, error, response } = await request;
  return { status: response.status, headers: response.headers, body: (data ?? error) as T };
}

/**
 * A body the contract forbids (an unknown field, a number for a decimal string...), sent on purpose to
 * check the API refuses it: it gets past the client's types, not past the API.
 */
export function malformed(body: unknown): any {
  return body;
}

/**
 * The body of a command that ran (200 or 201): a command may also answer 202 (still running), which
 * the client's types keep in the union; this fails the test with the answer instead.
 */
export function ran<Data>(result: {
  data?: Data;
  error?: unknown;
  response: Response;
}): Extract<Data, { position: string }> {
  const data = result.data as (Data & object) | undefined;
  if (!data || !('position' in data))
    throw new Error(
      `expected a command that ran, got ${result.response.status}: ${JSON.stringify(result.error ?? result.data)}`,
    );
  return data as Extract<Data, { position: string }>;
}

/** A request body sent as is, bypassing JSON serialization: `{ bodySerializer: rawBody }` with a string body. */
export const rawBody = (body: unknown): string => String(body);

/**
 * Plain fetch, outside the generated clients: only for what the contract does not describe (the
 * `/openapi.json` document itself, a route that does not exist) or a request the client cannot
 * express. Sends the default caller's token unless `headers.authorization` is given ('' : none).
 */
export async function call<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'authorization'))
    headers.authorization = bearer(defaultCaller);
  else if (headers.authorization === '') delete headers.authorization;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}
