import pino, { type Logger, type LoggerOptions } from 'pino';
import type { LogConfig } from '../config/platform-config';
import { activeSpanLogFields, isTracingEnabled } from './tracing';

/** Keys whose values are secrets wherever they appear in a log line (up to three levels deep). */
const SECRET_KEYS = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'passwd',
  'secret',
  'jwtSecret',
  'clientSecret',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'apiKey',
];
/** Keys holding connection URLs: logged with their password masked, the rest kept for diagnosis. */
const URL_KEYS = ['url', 'databaseUrl', 'eventStoreDatabaseUrl', 'readDatabaseUrl', 'connectionString', 'redisUrl'];

/** `scheme://user:password@host` → `scheme://user:***@host`; anything else unchanged. */
export function maskUrlPassword(value: string): string {
  return value.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@/\s]*@/gi, '$1:***@');
}

const SECRET_KEY_SET = new Set(SECRET_KEYS.map((key) => key.toLowerCase()));
const URL_KEY_SET = new Set(URL_KEYS);
/** How deep into a logged object secrets are looked for (the object itself is level 1). */
const REDACTION_DEPTH = 3;
const REDACTED = '[redacted]';

const isPlainObject = (value: object): boolean => {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/** The censored value of `key`, or undefined when the key holds no secret. */
function censored(key: string, value: unknown): unknown {
  if (SECRET_KEY_SET.has(key.toLowerCase())) return REDACTED;
  if (URL_KEY_SET.has(key) && typeof value === 'string') {
    const masked = maskUrlPassword(value);
    return masked === value ? undefined : masked;
  }
  return undefined;
}

/**
 * `value` with every secret key's value censored down to `depth` levels: a copy where something
 * changed, the value itself otherwise (no allocation for the common line). Descends into plain
 * objects, arrays and errors (copied with their type, message and stack); instances of other classes
 * (Fastify's request and reply) are left to their serializers, which log no headers.
 */
export function redactSecrets<T>(value: T, depth = REDACTION_DEPTH): T {
  if (depth <= 0 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, index) => {
      const redacted = redactSecrets(item, depth - 1);
      if (redacted !== item) (copy ??= [...value])[index] = redacted;
    });
    return (copy ?? value) as T;
  }
  const isError = value instanceof Error;
  if (!isError && !isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const censoredItem = censored(key, item);
    const redacted = censoredItem === undefined ? redactSecrets(item, depth - 1) : censoredItem;
    if (redacted === item) continue;
    copy ??= isError ? errorCopy(value) : { ...(value as Record<string, unknown>) };
    copy[key] = redacted;
  }
  return (copy ?? value) as T;
}

/** A copy of an error that pino's error serializer logs like the original (type, message, stack). */
function errorCopy(error: Error): Record<string, unknown> {
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Record<string, unknown>;
  Object.assign(copy, error);
  for (const key of ['message', 'stack', 'cause'] as const) {
    if (key in error)
      Object.defineProperty(copy, key, { value: error[key], enumerable: false, writable: true, configurable: true });
  }
  return copy;
}

/**
 * pino options of every service: JSON lines with `service`, secrets redacted (Authorization and
 * cookies, any token, secret or password field) and connection URLs' passwords masked; pretty
 * when LOG_PRETTY=true.
 *
 * Redaction runs on the object of each line written (`formatters.log`), not through pino's `redact`
 * paths: those run on every child logger's bindings too, and with "any key at any depth" paths they
 * cost ~35 µs per request for the ids of the request's logger (a fifth of a cached read). Bindings
 * are only ever ids set by the platform (request, correlation, user, organizations, service).
 *
 * While tracing is on, every line written inside a span carries its `trace_id`, `span_id` and
 * `trace_flags` (a pino mixin reading the active OpenTelemetry context), so logs and traces join up.
 * Tracing off (or started after the logger was made: call startTracing first), there is no mixin
 * at all: nothing is added to a line's cost.
 */
export function loggerOptions(service: string, log: LogConfig): LoggerOptions {
  return {
    level: log.level,
    base: { service },
    formatters: { log: (object) => redactSecrets(object) },
    ...(isTracingEnabled() ? { mixin: activeSpanLogFields } : {}),
    ...(log.pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,service' },
          },
        }
      : {}),
  };
}

/** The service's pino logger (JSON lines; pretty when LOG_PRETTY=true). */
export function createLogger(service: string, log: LogConfig): Logger {
  return pino(loggerOptions(service, log));
}
export type { Logger };
