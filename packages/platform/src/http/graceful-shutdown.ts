import closeWithGrace from 'close-with-grace';

/** The little of a pino logger shutdown needs (Fastify's and the workers' loggers both fit). */
interface ShutdownLogger {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface ShutdownOptions {
  logger: ShutdownLogger;
  /** Longest the whole shutdown may take before the process exits with code 1. */
  timeoutMs: number;
}

/**
 * Runs `close` once, on the first SIGTERM or SIGINT (or another terminating signal, an uncaught
 * exception or an unhandled rejection), then exits: 0 after a clean close, 1 after a crash, a failed
 * close, a second signal or the timeout. Built on close-with-grace; Temporal's runtime may trap the
 * same signals (its handler only asks the workers to shut down, which `close` does too).
 */
export interface ShutdownHandle {
  /** True once a signal or crash started the shutdown. */
  readonly started: boolean;
  /** Stops listening for signals and crashes (the service is stopping for another reason). */
  uninstall(): void;
}

export function onShutdown(options: ShutdownOptions, close: () => Promise<void>): ShutdownHandle {
  const { logger } = options;
  let started = false;
  const handle = closeWithGrace(
    {
      delay: options.timeoutMs,
      logger: false,
      onSecondSignal: (signal) => logger.error({ signal }, 'second signal while shutting down: exiting now'),
      onSecondError: (error) => logger.error({ err: error }, 'error while shutting down: exiting now'),
      onTimeout: (delay) => logger.error({ timeoutMs: delay }, 'shutdown took too long: exiting'),
    },
    async ({ signal, err }) => {
      started = true;
      if (err) logger.error({ err }, 'crashed: shutting down');
      else logger.info({ signal: signal ?? 'manual', timeoutMs: options.timeoutMs }, 'shutting down gracefully');
      try {
        await close();
        logger.info({}, 'shut down');
      } catch (error) {
        logger.error({ err: error }, 'shutdown failed');
        throw error;
      }
    },
  );
  return {
    get started() {
      return started;
    },
    uninstall: () => handle.uninstall(),
  };
}
