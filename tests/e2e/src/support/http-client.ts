import { mintToken, type TokenClaims } from '@gyroscops/platform';

/** The HS256 secret the test stack's APIs verify tokens with (test-only). */
export const TEST_JWT_SECRET = 'e2e-test-secret-only-for-tests-0123456789abcdef';

/**
 * The caller `call()` acts as unless a request carries its own Authorization header: each test file
 * grants it the organizations it uses (`grantOrganizations`), so the APIs' organization checks run
 * in every test. It has the admin role (projection admin routes, platform-wide aggregates).
 */
const defaultCaller: TokenClaims & { orgs: string[] } = { sub: 'e2e-user', orgs: [], roles: ['admin'] };

/** Lets the default caller act on these organizations; returns the first, for `const org = grantOrganizations(...)`. */
export function grantOrganizations(...organizations: string[]): string {
  for (const organization of organizations) if (!defaultCaller.orgs.includes(organization)) defaultCaller.orgs.push(organization);
  return organizations[0] ?? '';
}

/** An Authorization header value for a token with these claims, signed with the test secret (ttlSeconds < 0: expired). */
export function bearer(claims: TokenClaims, options: { ttlSeconds?: number; secret?: string } = {}): string {
  return `Bearer ${mintToken(options.secret ?? TEST_JWT_SECRET, claims, { ttlSeconds: options.ttlSeconds ?? 600 })}`;
}

/** A response as the tests look at it. */
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** Plain fetch against a running service: JSON in, JSON (or problem+json) out. */
export async function call<T = any>(baseUrl: string, method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; rawBody?: string } = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  // An explicit Authorization header (even an empty one: no token at all) wins over the default caller.
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) headers.authorization = bearer(defaultCaller);
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
