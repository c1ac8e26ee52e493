import type { EnvReader } from './env-reader';

/** What protects an HTTP API from browsers, abusive callers and overload. */
export interface HttpHardeningConfig {
  /** Origins a browser may call the API from (`CORS_ORIGINS`); empty: no CORS headers at all. */
  corsOrigins: string[];
  /** Requests per caller (token subject, or IP address before authentication) per window. */
  rateLimit: { max: number; windowMs: number };
  /** Past this mean event-loop delay the API sheds load: 503 + Retry-After (`/health/live` excepted); 0: never. */
  maxEventLoopDelayMs: number;
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

/** CORS_ORIGINS, RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS and MAX_EVENT_LOOP_DELAY_MS. */
export function readHttpHardeningConfig(reader: EnvReader): HttpHardeningConfig {
  return {
    corsOrigins: reader.origins('CORS_ORIGINS'),
    rateLimit: {
      max: reader.integer('RATE_LIMIT_MAX', DEFAULT_RATE_LIMIT.max, { min: 1, max: 10_000_000 }),
      windowMs: reader.integer('RATE_LIMIT_WINDOW_MS', DEFAULT_RATE_LIMIT.windowMs, { min: 100, max: 86_400_000 }),
    },
    maxEventLoopDelayMs: reader.integer('MAX_EVENT_LOOP_DELAY_MS', DEFAULT_MAX_EVENT_LOOP_DELAY_MS, { min: 0, max: 60_000 }),
  };
}

/** SHUTDOWN_TIMEOUT_MS: past it a stuck shutdown exits with code 1 instead of hanging. */
export function readShutdownConfig(reader: EnvReader): { timeoutMs: number } {
  return { timeoutMs: reader.integer('SHUTDOWN_TIMEOUT_MS', DEFAULT_SHUTDOWN_TIMEOUT_MS, { min: 1_000, max: 600_000 }) };
}
