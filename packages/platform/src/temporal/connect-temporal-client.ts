import { Client, Connection } from '@temporalio/client';
import { temporalClientInterceptors } from './temporal-client-tracing';
import { describeTemporalConnection, temporalConnectionOptions, type TemporalConfig } from './temporal-config';

/**
 * Connects a Temporal client, retrying while the server starts (services may come up before it).
 * Gives up after `timeoutMs`. TLS, client certificate and API key come from the configuration
 * (`TEMPORAL_*`). With tracing on, the client carries the caller's trace into workflows.
 */
export async function connectTemporalClient(config: TemporalConfig, timeoutMs = 60_000): Promise<Client> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Connection.connect({ ...temporalConnectionOptions(config), connectTimeout: 2_000 });
      return temporalClient(connection, config);
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`cannot reach Temporal at ${describeTemporalConnection(config)}: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/**
 * A client whose connection is made on its first call: a service that needs Temporal for some
 * requests only (the query-api's reports and admin actions) starts and serves without it.
 */
export function lazyTemporalClient(config: TemporalConfig): Client {
  return temporalClient(Connection.lazy(temporalConnectionOptions(config)), config);
}

function temporalClient(connection: Connection, config: TemporalConfig): Client {
  return new Client({ connection, namespace: config.namespace, interceptors: temporalClientInterceptors() });
}

/** Readiness: the frontend answers for our namespace. */
export async function checkTemporal(client: Client): Promise<void> {
  await client.workflowService.describeNamespace({ namespace: client.options.namespace });
}
