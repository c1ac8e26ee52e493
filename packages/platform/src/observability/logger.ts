import pino, { type Logger } from 'pino';
import type { LogConfig } from '../config/platform-config';
import { loggerOptions } from '../http/create-http-app';

/** The service's pino logger (JSON lines; pretty when LOG_PRETTY=true). */
export function createLogger(service: string, log: LogConfig): Logger {
  return pino(loggerOptions(service, log));
}
export type { Logger };
