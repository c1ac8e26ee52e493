import { mintToken, type TokenClaims } from '@gyroscops/platform';

/** The HS256 secret the fault stack's APIs verify tokens with (test-only). */
export const FAULT_JWT_SECRET = 'fault-tests-secret-only-for-tests-0123456789abcdef';

/** A bearer token for these claims, signed with the test secret. */
export function bearer(claims: TokenClaims): string {
  return `Bearer ${mintToken(FAULT_JWT_SECRET, claims, { ttlSeconds: 3_600 })}`;
}

/** The callers the fault tests act as: an admin of the test organizations. */
export const FAULT_ORGANIZATIONS = ['org-fault-a', 'org-fault-b'];
export const adminToken = () => bearer({ sub: 'fault-tester', orgs: FAULT_ORGANIZATIONS, roles: ['admin'] });

export interface ApiAnswer<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  /** Sent as JSON (content-type application/json). */
  json?: unknown;
  /** Sent as is (for malformed bodies). */
  rawBody?: string;
  /** Replaces the default headers entirely when `replaceHeaders` is set; otherwise added to them. */
  headers?: Record<string, string>;
  replaceHeaders?: boolean;
  timeoutMs?: number;
}

/**
 * Plain fetch against a running service with the test admin's token: JSON in, JSON (or
 * problem+json, or text) out. Independent of the generated API client on purpose.
 */
export async function request<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = options.replaceHeaders
    ? { ...options.headers }
    : { authorization: adminToken(), ...options.headers };
  let body = options.rawBody;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

/** The command-api's answer to a command, as the contract defines it. */
export interface CommandResult {
  commandId: string;
  paymentId: string;
  status: string;
  version: number;
  position: string;
}
