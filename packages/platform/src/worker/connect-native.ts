import { NativeConnection } from '@temporalio/worker';
import type { TemporalConfig } from '../config/platform-config';

/** A worker connection, retried while the Temporal server starts. */
export async function connectNative(config: TemporalConfig, timeoutMs = 60_000): Promise<NativeConnection> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await NativeConnection.connect({ address: config.address });
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`cannot reach Temporal at ${config.address}: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
