import { NativeConnection } from '@temporalio/worker';
import {
  describeTemporalConnection,
  temporalConnectionOptions,
  type TemporalConfig,
} from '../temporal/temporal-config';
import { installTemporalRuntime } from './temporal-runtime';

/**
 * A worker connection (TLS, client certificate and API key from the configuration), retried while
 * the Temporal server starts. Installs the process's Temporal
 * runtime first (with its metrics exported to the service's /metrics) unless one is installed.
 */
export async function connectNative(config: TemporalConfig, timeoutMs = 60_000): Promise<NativeConnection> {
  await installTemporalRuntime();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await NativeConnection.connect(temporalConnectionOptions(config));
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`cannot reach Temporal at ${describeTemporalConnection(config)}: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
