import pino, { type Logger, type LoggerOptions } from 'pino';
import type { LogConfig } from '../config/platform-config';

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

const atAnyDepth = (key: string) => {
  const property = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
  const join = (prefix: string) => (property.startsWith('[') ? `${prefix}${property}` : `${prefix}.${property}`);
  return [property.startsWith('[') ? `${property}` : property, join('*'), join('*.*')];
};

/** `scheme://user:password@host` → `scheme://user:***@host`; anything else unchanged. */
export function maskUrlPassword(value: string): string {
  return value.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@/\s]*@/gi, '$1:***@');
}

const URL_KEY_SET = new Set(URL_KEYS);
const censor = (value: unknown, path: string[]): unknown => {
  if (URL_KEY_SET.has(path[path.length - 1] ?? '')) return typeof value === 'string' ? maskUrlPassword(value) : value;
  return '[redacted]';
};

/** The redaction every service's logs share (exported for tests). */
export const LOG_REDACTION = {
  paths: [...SECRET_KEYS, ...URL_KEYS].flatMap(atAnyDepth),
  censor,
};

/**
 * pino options of every service: JSON lines with `service`, secrets redacted (Authorization and
 * cookies, any token, secret or password field) and connection URLs' passwords masked; pretty
 * when LOG_PRETTY=true.
 */
export function loggerOptions(service: string, log: LogConfig): LoggerOptions {
  return {
    level: log.level,
    base: { service },
    redact: LOG_REDACTION,
    ...(log.pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,service' } } }
      : {}),
  };
}

/** The service's pino logger (JSON lines; pretty when LOG_PRETTY=true). */
export function createLogger(service: string, log: LogConfig): Logger {
  return pino(loggerOptions(service, log));
}
export type { Logger };
