import type { FastifyInstance } from 'fastify';

/** Longest a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_BOUND_MS = 15_000;

/**
 * Listens, and on SIGINT or SIGTERM stops accepting, drains in-flight requests (Fastify's close),
 * then closes the service's resources. Bounded: a stuck close exits with code 1.
 */
export async function runHttpService(app: FastifyInstance, http: { host: string; port: number }, closeResources: () => Promise<void>): Promise<void> {
  let closing = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const bound = setTimeout(() => {
      app.log.error('shutdown took too long: exiting');
      process.exit(1);
    }, SHUTDOWN_BOUND_MS);
    bound.unref();
    try {
      await app.close();
      await closeResources();
    } finally {
      clearTimeout(bound);
    }
  };
  process.once('SIGINT', (signal) => void shutdown(signal));
  process.once('SIGTERM', (signal) => void shutdown(signal));
  const address = await app.listen({ host: http.host, port: http.port });
  app.log.info({ docs: `${address}/docs`, openapi: `${address}/openapi.json` }, `listening on ${address}`);
}
