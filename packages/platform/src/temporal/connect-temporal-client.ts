import { Client, Connection } from '@temporalio/client';
import type { TemporalConfig } from '../config/platform-config';
import { temporalClientInterceptors } from './temporal-client-tracing';

/**
 * Connects a Temporal client, retrying while the server starts (services may come up before it).
 * Gives up after `timeoutMs`. With tracing on, the client carries the caller's trace into workflows.
 */
export async function connectTemporalClient(config: TemporalConfig, timeoutMs = 60_000): Promise<Client> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Connection.connect({ address: config.address, connectTimeout: 2_000 });
      return new Client({ connection, namespace: config.namespace, interceptors: temporalClientInterceptors() });
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`cannot reach Temporal at ${config.address}: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** Readiness: the frontend answers for our namespace. */
export async function checkTemporal(client: Client): Promise<void> {
  await client.workflowService.describeNamespace({ namespace: client.options.namespace });
}
