import type { Server } from 'node:http';
import type { Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
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
}

/**
 * Runs Temporal workers until SIGINT or SIGTERM. The SDK's runtime already traps those signals and
 * shuts the workers down (in-flight activities get the grace time); this waits for that, then closes
 * the rest. A second signal while closing exits at once.
 */
export async function runWorkerService(options: WorkerServiceOptions): Promise<void> {
  const { logger } = options;
  let server: Server | undefined;
  try {
    const readiness = { ...options.readiness, worker: () => allRunning(options.workers) };
    server = await startWorkerHealthServer({ ...options.health, metrics: options.metrics, readiness });
    const address = server.address();
    logger.info({ health: typeof address === 'object' && address ? `http://${options.health.host}:${address.port}/health/ready` : undefined }, `${options.name} started`);
    await Promise.all(options.workers.map((worker) => worker.run()));
    logger.info(`${options.name} workers stopped`);
  } finally {
    server?.close();
    await options.close();
    logger.info(`${options.name} closed`);
  }
}

/** Ready only while every worker polls its task queue. */
async function allRunning(workers: Worker[]): Promise<void> {
  for (const worker of workers) {
    if (worker.getState() !== 'RUNNING') throw new Error(`worker is ${worker.getState()}`);
  }
}
