import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { fetchMetricsText, metricsSources } from './metrics-sources';

/**
 * A service's registry: its own metrics, followed by the text of the process's other Prometheus
 * endpoints (the Temporal runtime's, in workers), so one /metrics shows everything.
 */
export class ServiceMetricsRegistry extends Registry {
  override async metrics(): Promise<string> {
    const [own, ...others] = await Promise.all([
      super.metrics(),
      ...metricsSources().map((url) => fetchMetricsText(url)),
    ]);
    const extra = others.map((text) => text.trim()).filter((text) => text.length > 0);
    return extra.length === 0 ? own : `${own.trimEnd()}\n\n${extra.join('\n\n')}\n`;
  }
}

/** One Prometheus registry per service, with Node's default metrics labelled by service name. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new ServiceMetricsRegistry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function createHttpMetrics(registry: Registry) {
  return {
    requests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by method, route and status code',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by method and route',
      labelNames: ['method', 'route'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}
