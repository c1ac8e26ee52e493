import { createServer } from 'node:net';
import { Runtime, type Logger } from '@temporalio/worker';
import { addMetricsSource } from '../observability/metrics-sources';

/** Histogram buckets (seconds) of the command workflows' durations, recorded from workflow code. */
const COMMAND_DURATION_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** A free loopback port, for the runtime's own metrics endpoint (the SDK takes a fixed address). */
async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no loopback port for the Temporal runtime metrics');
  return address.port;
}

/**
 * Installs this process's Temporal runtime (once: the SDK allows one) with its Prometheus exporter
 * on a loopback port, and adds that endpoint to every metrics registry of the process, so the
 * worker's own /metrics serves the SDK's metrics (`temporal_*`: task slots, poll and schedule-to-start
 * latencies, workflow and activity outcomes) and the metrics workflow code records through
 * `metricMeter` (the command workflows' outcomes and durations). Does nothing when a runtime was
 * installed already (tests install a quiet one), and returns whether it installed. `logger`
 * replaces the SDK's default console logger.
 */
export async function installTemporalRuntime(options: { bindAddress?: string; logger?: Logger } = {}): Promise<boolean> {
  if (Runtime._instance) return false;
  const bindAddress = options.bindAddress ?? `127.0.0.1:${await freeLoopbackPort()}`;
  if (Runtime._instance) return false;
  Runtime.install({
    ...(options.logger ? { logger: options.logger } : {}),
    telemetryOptions: {
      metrics: {
        prometheus: {
          bindAddress,
          countersTotalSuffix: true,
          useSecondsForDurations: true,
          histogramBucketOverrides: { command_workflow_duration_seconds: COMMAND_DURATION_BUCKETS },
        },
      },
    },
  });
  addMetricsSource(`http://${bindAddress}/metrics`);
  return true;
}
