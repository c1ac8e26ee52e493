import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { checkReadiness, type ReadinessCheck } from '../http/health-routes';

export interface WorkerHealthServerOptions {
  host: string;
  port: number;
  metrics: Registry;
  readiness: Record<string, ReadinessCheck>;
}

/**
 * Workers serve no API, but orchestrators still need /health/live, /health/ready and /metrics:
 * a bare node:http server is all that takes.
 */
export async function startWorkerHealthServer(options: WorkerHealthServerOptions): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const send = (status: number, body: string, type = 'application/json') => {
      response.writeHead(status, { 'content-type': type });
      response.end(body);
    };
    if (request.method !== 'GET') return send(405, JSON.stringify({ status: 405, title: 'Method not allowed' }));
    if (path === '/health/live') return send(200, JSON.stringify({ status: 'ok' }));
    if (path === '/health/ready') {
      void checkReadiness(options.readiness).then(({ ready, checks }) =>
        send(ready ? 200 : 503, JSON.stringify({ status: ready ? 'ok' : 'unavailable', checks })),
      );
      return;
    }
    if (path === '/metrics') {
      void options.metrics.metrics().then((text) => send(200, text, options.metrics.contentType));
      return;
    }
    return send(404, JSON.stringify({ status: 404, title: 'Not found' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return server;
}
