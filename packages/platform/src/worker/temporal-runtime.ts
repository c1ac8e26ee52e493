import { Runtime, type Logger } from '@temporalio/worker';
import { freePort } from '../net/free-port';
import { addMetricsSource } from '../observability/metrics-sources';

/** Histogram buckets (seconds) of the command workflows' durations, recorded from workflow code. */
const COMMAND_DURATION_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Installs this process's Temporal runtime (once: the SDK allows one) with its Prometheus exporter
 * on a loopback port, and adds that endpoint to every metrics registry of the process, so the
 * worker's own /metrics serves the SDK's metrics (`temporal_*`: task slots, poll and schedule-to-start
 * latencies, workflow and activity outcomes) and the metrics workflow code records through
 * `metricMeter` (the command workflows' outcomes and durations). Does nothing when a runtime was
 * installed already (tests install a quiet one), and returns whether it installed. `logger`
 * replaces the SDK's default console logger.
 */
export async function installTemporalRuntime(
  options: { bindAddress?: string; logger?: Logger } = {},
): Promise<boolean> {
  if (Runtime._instance) return false;
  // The SDK takes a fixed address for its own metrics endpoint: a free loopback port.
  const bindAddress = options.bindAddress ?? `127.0.0.1:${await freePort()}`;
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
