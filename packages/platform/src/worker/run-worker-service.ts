import type { Server } from 'node:http';
import type { Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '../config/hardening-config';
import { onShutdown } from '../http/graceful-shutdown';
import type { ReadinessCheck } from '../http/health-routes';
import { startWorkerHealthServer } from './worker-health-server';

export interface WorkerServiceOptions {
  name: string;
  workers: Worker[];
  logger: Logger;
  health: { host: string; port: number };
  metrics: Registry;
  /** Checks of the service's dependencies; the workers' own state is checked as `worker`. */
  readiness: Record<string, ReadinessCheck>;
  /** Runs once every worker has stopped: close pools, clients, connections. */
  close: () => Promise<void>;
  /**
   * Longest a graceful shutdown may take (SHUTDOWN_TIMEOUT_MS). Keep it above the workers'
   * `shutdownGraceTime`, which is how long in-flight activities may still run.
   */
  shutdownTimeoutMs?: number;
}

/**
 * Runs Temporal workers until SIGTERM or SIGINT, then shuts down gracefully: `worker.shutdown()`
 * stops polling and lets in-flight activities finish (within the worker's `shutdownGraceTime`;
 * past it they are cancelled and Temporal retries them on another worker), then the health server
 * and the service's pools and connections close. Bounded by `shutdownTimeoutMs`; a second signal
 * exits at once.
 *
 * Temporal's runtime traps the same signals by default and also calls `shutdown()` on its workers:
 * whichever runs first, the other finds the workers no longer RUNNING and does nothing, so the
 * runtime may keep its default `shutdownSignals`.
 *
 * Resolves when the workers stopped on a signal (the process then exits); rejects, after closing,
 * when a worker failed by itself.
 */
export async function runWorkerService(options: WorkerServiceOptions): Promise<void> {
  const { logger } = options;
  const readiness = { ...options.readiness, worker: () => allRunning(options.workers) };
  let server: Server | undefined;
  try {
    server = await startWorkerHealthServer({ ...options.health, metrics: options.metrics, readiness });
  } catch (error) {
    await withinShutdownTimeout(options, options.close());
    throw error;
  }
  const running = Promise.all(options.workers.map((worker) => worker.run()));
  const closeAll = async () => {
    await new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      // Probes' kept-alive connections would hold the close open.
      server.closeAllConnections();
    });
    await options.close();
  };
  const shutdown = onShutdown(
    { logger, timeoutMs: options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS },
    async () => {
      const states = options.workers.map((worker) => worker.getState());
      for (const worker of options.workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      logger.info({ states }, `${options.name}: waiting for in-flight activities`);
      await running.catch((error: unknown) =>
        logger.error({ err: error }, `${options.name}: a worker failed while stopping`),
      );
      logger.info(`${options.name} workers stopped`);
      await closeAll();
    },
  );
  const address = server.address();
  logger.info(
    {
      health:
        typeof address === 'object' && address
          ? `http://${options.health.host}:${address.port}/health/ready`
          : undefined,
    },
    `${options.name} started`,
  );
  let failure: unknown;
  await running.catch((error: unknown) => {
    failure = error;
  });
  // Stopped on a signal: the shutdown above closes everything and exits.
  if (shutdown.started) return;
  // Stopped by itself (a fatal worker error): close, and let the caller exit with an error.
  shutdown.uninstall();
  logger.error({ err: failure }, `${options.name} workers stopped unexpectedly`);
  await withinShutdownTimeout(options, closeAll());
  throw failure ?? new Error(`${options.name} workers stopped unexpectedly`);
}

/**
 * A close that never settles (a connection stuck on a dead server) must not keep a failed service
 * alive: past the shutdown timeout the caller gets the failure anyway and exits non-zero.
 */
async function withinShutdownTimeout(options: WorkerServiceOptions, closing: Promise<void>): Promise<void> {
  const timeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      options.logger.error({ timeoutMs }, `${options.name}: closing took too long after a failure`);
      resolve();
    }, timeoutMs);
    timer.unref();
  });
  try {
    await Promise.race([
      closing.catch((error: unknown) => options.logger.error({ err: error }, 'close failed')),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Ready only while every worker polls its task queue. */
async function allRunning(workers: Worker[]): Promise<void> {
  for (const worker of workers) {
    if (worker.getState() !== 'RUNNING') throw new Error(`worker is ${worker.getState()}`);
  }
}
