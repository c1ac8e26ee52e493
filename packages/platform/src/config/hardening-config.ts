import { isIP } from 'node:net';
import type { EnvReader } from './env-reader';

/** What protects an HTTP API from browsers, abusive callers and overload. */
export interface HttpHardeningConfig {
  /** Origins a browser may call the API from (`CORS_ORIGINS`); empty: no CORS headers at all. */
  corsOrigins: string[];
  /** Requests per caller (token subject, or IP address before authentication) per window. */
  rateLimit: { max: number; windowMs: number };
  /** Past this mean event-loop delay the API sheds load: 503 + Retry-After (`/health/live` excepted); 0: never. */
  maxEventLoopDelayMs: number;
  /**
   * Which proxies' `X-Forwarded-For` to believe (`TRUST_PROXY`), for the client address that
   * unauthenticated requests are rate-limited by and that logs show: none (the peer is the client),
   * a number of proxy hops, or the proxies' addresses and CIDR ranges.
   */
  trustProxy: false | number | string[];
}

/**
 * High on purpose: one test suite or benchmark run uses one token for thousands of requests per
 * second. Production sets RATE_LIMIT_MAX to what one user may really need.
 */
export const DEFAULT_RATE_LIMIT = { max: 20_000, windowMs: 1_000 } as const;
/** Far above any healthy request's event-loop delay, yet short enough to shed before clients time out. */
export const DEFAULT_MAX_EVENT_LOOP_DELAY_MS = 1_000;
/** Longest a graceful shutdown may take; below Kubernetes' default 30 s termination grace period. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 25_000;

/** CORS_ORIGINS, RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS, MAX_EVENT_LOOP_DELAY_MS and TRUST_PROXY. */
export function readHttpHardeningConfig(reader: EnvReader): HttpHardeningConfig {
  return {
    corsOrigins: reader.origins('CORS_ORIGINS'),
    rateLimit: {
      max: reader.integer('RATE_LIMIT_MAX', DEFAULT_RATE_LIMIT.max, { min: 1, max: 10_000_000 }),
      windowMs: reader.integer('RATE_LIMIT_WINDOW_MS', DEFAULT_RATE_LIMIT.windowMs, { min: 100, max: 86_400_000 }),
    },
    maxEventLoopDelayMs: reader.integer('MAX_EVENT_LOOP_DELAY_MS', DEFAULT_MAX_EVENT_LOOP_DELAY_MS, {
      min: 0,
      max: 60_000,
    }),
    trustProxy: readTrustProxy(reader),
  };
}

/**
 * TRUST_PROXY: unset, a hop count (`1` behind one load balancer), or comma-separated addresses and
 * CIDR ranges of the proxies (`10.0.0.0/8`). Not `true`: trusting every peer would let any client
 * choose the address it is rate-limited by.
 */
function readTrustProxy(reader: EnvReader): false | number | string[] {
  const value = reader.optionalString('TRUST_PROXY');
  if (value === undefined || value.toLowerCase() === 'false') return false;
  if (/^\d+$/.test(value)) return reader.integer('TRUST_PROXY', 0, { min: 1, max: 10 });
  const proxies = reader.list('TRUST_PROXY');
  const invalid = proxies.filter((proxy) => !isAddressOrRange(proxy));
  if (invalid.length === 0) return proxies;
  reader.problem(
    `TRUST_PROXY must be a hop count (1-10) or comma-separated proxy addresses or CIDR ranges (like 10.0.0.0/8); not ${invalid.map((proxy) => JSON.stringify(proxy)).join(', ')}`,
  );
  return false;
}

function isAddressOrRange(proxy: string): boolean {
  const [address = '', bits, ...rest] = proxy.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** SHUTDOWN_TIMEOUT_MS: past it a stuck shutdown exits with code 1 instead of hanging. */
export function readShutdownConfig(reader: EnvReader): { timeoutMs: number } {
  return {
    timeoutMs: reader.integer('SHUTDOWN_TIMEOUT_MS', DEFAULT_SHUTDOWN_TIMEOUT_MS, { min: 1_000, max: 600_000 }),
  };
}
