import type { FastifyInstance } from 'fastify';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '../config/hardening-config';
import { onShutdown } from './graceful-shutdown';

/**
 * Listens, and on SIGTERM or SIGINT (or a crash) shuts down gracefully: stops accepting connections,
 * lets in-flight requests finish (a request arriving meanwhile on a kept-alive connection is still
 * served, with `Connection: close`), then closes the service's resources. Bounded by
 * `shutdownTimeoutMs`: past it, or on a second signal, the process exits with code 1.
 */
export async function runHttpService(
  app: FastifyInstance,
  http: { host: string; port: number },
  closeResources: () => Promise<void>,
  options: { shutdownTimeoutMs?: number } = {},
): Promise<void> {
  onShutdown({ logger: app.log, timeoutMs: options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS }, async () => {
    await app.close();
    await closeResources();
  });
  const address = await app.listen({ host: http.host, port: http.port });
  app.log.info({ docs: `${address}/docs`, openapi: `${address}/openapi.json` }, `listening on ${address}`);
}
