/**
 * The probe paths of the Kubernetes manifests, asked of the code that serves them: the APIs'
 * HTTP plumbing (createHttpApp) and the workers' health server answer them with 200 and without
 * a bearer token (the kubelet sends none), and serve /metrics, which the pods' annotations name.
 */
import { createHttpApp, createMetricsRegistry } from '@gyroscops/platform';
import { startWorkerHealthServer } from '@gyroscops/platform/worker';
import { SERVICES } from './deployable-apps';
import { loadManifestObjects } from './kubernetes-manifests';

interface ProbedContainer {
  livenessProbe: { httpGet: { path: string } };
  readinessProbe: { httpGet: { path: string } };
  startupProbe: { httpGet: { path: string } };
}

/** Every path a probe or the Prometheus annotation of a Deployment asks, by app kind. */
function probedPaths(kind: 'api' | 'worker'): string[] {
  const names = new Set(SERVICES.filter((app) => app.kind === kind).map((app) => app.name));
  const paths = new Set<string>();
  for (const object of loadManifestObjects()) {
    if (object.kind !== 'Deployment' || !names.has(object.metadata.name as (typeof SERVICES)[number]['name'])) continue;
    const template = (
      object.spec as {
        template: { metadata: { annotations: Record<string, string> }; spec: { containers: ProbedContainer[] } };
      }
    ).template;
    for (const container of template.spec.containers) {
      for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe])
        paths.add(probe.httpGet.path);
    }
    paths.add(template.metadata.annotations['prometheus.io/path']!);
  }
  return [...paths].sort();
}

describe('the routes the Kubernetes probes ask', () => {
  it('the APIs answer every probed path with 200, without a token', async () => {
    const paths = probedPaths('api');
    expect(paths).toEqual(['/health/live', '/health/ready', '/metrics']);
    const app = await createHttpApp({
      service: 'probe-check',
      title: 'probe check',
      description: 'the HTTP plumbing of both APIs',
      log: { level: 'silent', pretty: false },
      metrics: createMetricsRegistry('probe-check'),
      readiness: { dependency: async () => undefined },
      tags: [],
      auth: { kind: 'secret', secret: 'a-test-secret-of-at-least-32-characters' },
      // Load shedding answers /health/ready with 503 past 1 s of event-loop delay, which a busy
      // test machine reaches; this checks the routes, not the machine.
      hardening: { maxEventLoopDelayMs: 60_000 },
    });
    try {
      for (const path of paths) {
        const response = await app.inject({ method: 'GET', url: path });
        expect({ path, status: response.statusCode }).toEqual({ path, status: 200 });
      }
    } finally {
      await app.close();
    }
  });

  it('the workers’ health server answers every probed path with 200', async () => {
    const paths = probedPaths('worker');
    expect(paths).toEqual(['/health/live', '/health/ready', '/metrics']);
    const server = await startWorkerHealthServer({
      host: '127.0.0.1',
      port: 0,
      metrics: createMetricsRegistry('probe-check'),
      readiness: { dependency: async () => undefined },
    });
    try {
      const { port } = server.address() as { port: number };
      for (const path of paths) {
        const response = await fetch(`http://127.0.0.1:${port}${path}`);
        await response.arrayBuffer();
        expect({ path, status: response.status }).toEqual({ path, status: 200 });
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
