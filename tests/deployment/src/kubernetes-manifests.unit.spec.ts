/**
 * The Kubernetes manifests under infra/kubernetes, checked without a cluster: every object against
 * the Kubernetes API schema of its kind (kubernetes-models), and against the apps themselves:
 * each service has a Deployment, a Service and a HorizontalPodAutoscaler that select its pods;
 * probes and ports are the ones its config and health routes use; every variable a container
 * gets is one its config reader reads, and the resolved environment passes that reader.
 */
import { parse } from 'yaml';
import {
  DEPLOYABLE_APPS,
  MINIMAL_ENV,
  SERVICES,
  readConfigRecordingNames,
  type DeployableApp,
} from './deployable-apps';
import { envSourcesOf, resolveContainerEnv, type EnvEntry } from './kubernetes-env';
import {
  KUBERNETES_FOLDER,
  KUSTOMIZATION_FILE,
  loadManifestObjects,
  manifestFiles,
  objectsOfKind,
  validateAgainstKubernetesSchema,
  type ManifestObject,
} from './kubernetes-manifests';
import { readRepositoryFile, repositoryFileExists } from './repository';

/** Shown in the repository, applied by nobody: kustomization.yaml leaves it out on purpose. */
const EXAMPLE_SECRET_FILE = 'secret.example.yaml';

const objects = loadManifestObjects();
const sources = envSourcesOf(objects);

interface Container {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  env?: EnvEntry[];
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  startupProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
}
interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: Container[]; securityContext?: { runAsNonRoot?: boolean; runAsUser?: number } };
}
type Workload = ManifestObject & {
  spec: { selector?: { matchLabels: Record<string, string> }; template: PodTemplate };
};
type Service = ManifestObject & {
  spec: { selector: Record<string, string>; ports: { name: string; port: number; targetPort: string | number }[] };
};
type Autoscaler = ManifestObject & {
  spec: {
    scaleTargetRef: { apiVersion: string; kind: string; name: string };
    minReplicas: number;
    maxReplicas: number;
    metrics: unknown[];
  };
};

const named = <T extends ManifestObject>(kind: string, name: string): T => {
  const matches = objects.filter((object) => object.kind === kind && object.metadata.name === name);
  expect(matches.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual([`${kind}/${name}`]);
  return matches[0] as T;
};

const isSubset = (subset: Record<string, string>, of: Record<string, string>) =>
  Object.entries(subset).every(([key, value]) => of[key] === value);

/** The container port a probe or Service names, by name or number. */
const containerPortOf = (container: Container, port: string | number): number | undefined =>
  typeof port === 'number'
    ? container.ports?.find((candidate) => candidate.containerPort === port)?.containerPort
    : container.ports?.find((candidate) => candidate.name === port)?.containerPort;

/** Resolves the container's environment and runs the app's own config reader on it. */
function checkContainerEnv(app: DeployableApp, container: Container) {
  const { env, problems } = resolveContainerEnv(container.env ?? [], sources);
  expect(problems).toEqual([]);
  const read = readConfigRecordingNames(app, env);
  expect(read.error?.message).toBeUndefined();
  // Every variable given is one the app reads: no misspelt or stale names.
  expect(Object.keys(env).filter((name) => !read.namesRead.has(name))).toEqual([]);
  return env;
}

describe('Kubernetes manifests', () => {
  it('parse, and every object is valid against the Kubernetes schema of its kind', () => {
    expect(objects.length).toBeGreaterThan(0);
    for (const object of objects) validateAgainstKubernetesSchema(object);
  });

  it('a schema violation is caught (the validation is not vacuous)', () => {
    const deployment = structuredClone(named<Workload>('Deployment', 'command-api'));
    (deployment.spec.template.spec.containers[0]!.ports![0] as { containerPort: unknown }).containerPort = '3000';
    expect(() => validateAgainstKubernetesSchema(deployment)).toThrow(/containerPort must be integer/);
    const autoscaler = structuredClone(named<Autoscaler>('HorizontalPodAutoscaler', 'command-api'));
    delete (autoscaler.spec as { maxReplicas?: number }).maxReplicas;
    expect(() => validateAgainstKubernetesSchema(autoscaler)).toThrow(/maxReplicas/);
  });

  it('kustomization.yaml lists every manifest but the example Secret, and every name is unique per kind', () => {
    const kustomization = parse(readRepositoryFile(KUBERNETES_FOLDER, KUSTOMIZATION_FILE)) as {
      kind: string;
      resources: string[];
    };
    expect(kustomization.kind).toBe('Kustomization');
    expect([...kustomization.resources].sort()).toEqual(manifestFiles().filter((file) => file !== EXAMPLE_SECRET_FILE));
    const keys = objects.map((object) => `${object.kind}/${object.metadata.name}`);
    expect(keys.length).toBe(new Set(keys).size);
  });

  it.each(SERVICES.map((app) => [app.name, app] as const))(
    '%s: a Deployment, a Service and a HorizontalPodAutoscaler that fit together',
    (name, app) => {
      const deployment = named<Workload>('Deployment', name);
      const service = named<Service>('Service', name);
      const autoscaler = named<Autoscaler>('HorizontalPodAutoscaler', name);
      const podLabels = deployment.spec.template.metadata.labels;

      expect(deployment.spec.selector?.matchLabels).toEqual({ 'app.kubernetes.io/name': name });
      expect(isSubset(deployment.spec.selector!.matchLabels, podLabels)).toBe(true);
      expect(podLabels['app.kubernetes.io/component']).toBe(app.kind);
      // The Service selects this app's pods and no other Deployment's.
      expect(isSubset(service.spec.selector, podLabels)).toBe(true);
      const others = objectsOfKind<Workload>(objects, 'Deployment').filter((other) => other.metadata.name !== name);
      for (const other of others)
        expect(isSubset(service.spec.selector, other.spec.template.metadata.labels)).toBe(false);

      expect(autoscaler.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
      expect(autoscaler.spec.minReplicas).toBeGreaterThanOrEqual(1);
      expect(autoscaler.spec.maxReplicas).toBeGreaterThan(autoscaler.spec.minReplicas);
      expect(autoscaler.spec.metrics.length).toBeGreaterThan(0);
    },
  );

  it.each(SERVICES.map((app) => [app.name, app] as const))(
    '%s: ports, probes and Service target the port and health routes of its config',
    (name, app) => {
      const deployment = named<Workload>('Deployment', name);
      const service = named<Service>('Service', name);
      const [container, ...sidecars] = deployment.spec.template.spec.containers;
      expect(sidecars).toEqual([]);
      const env = checkContainerEnv(app, container!);

      // The port the app listens on with this environment is its config default, and the container declares it.
      const port = app.portOf!(env);
      expect(port).toBe(app.portOf!(MINIMAL_ENV));
      expect(container!.ports?.map((candidate) => candidate.containerPort)).toEqual([port]);

      const probes = {
        startupProbe: '/health/live',
        livenessProbe: '/health/live',
        readinessProbe: '/health/ready',
      } as const;
      for (const [probe, path] of Object.entries(probes)) {
        const httpGet = container![probe as keyof typeof probes]?.httpGet;
        expect({ probe, path: httpGet?.path, port: httpGet && containerPortOf(container!, httpGet.port) }).toEqual({
          probe,
          path,
          port,
        });
      }
      for (const servicePort of service.spec.ports)
        expect(containerPortOf(container!, servicePort.targetPort)).toBe(port);
      expect(deployment.spec.template.metadata.annotations?.['prometheus.io/port']).toBe(String(port));
      expect(deployment.spec.template.metadata.annotations?.['prometheus.io/path']).toBe('/metrics');
    },
  );

  it.each(DEPLOYABLE_APPS.map((app) => [app.name, app] as const))(
    '%s: its image, non-root security context and resources',
    (name, app) => {
      const workload = app.kind === 'job' ? named<Workload>('Job', 'migrate') : named<Workload>('Deployment', name);
      const { spec } = workload.spec.template;
      const container = spec.containers[0]!;

      // The image is the one apps/<app>/Dockerfile builds (and docker-compose.yml tags gyroscops/<app>:local).
      expect(container.image).toMatch(new RegExp(`^gyroscops/${name}:[\\w.-]+$`));
      expect(repositoryFileExists('apps', name, 'Dockerfile')).toBe(true);

      expect(spec.securityContext?.runAsNonRoot).toBe(true);
      expect(spec.securityContext?.runAsUser).toBe(1000); // `node` in node:22-bookworm-slim
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      for (const bound of ['requests', 'limits'] as const) {
        expect(Object.keys(container.resources?.[bound] ?? {}).sort()).toEqual(['cpu', 'memory']);
      }
      if (app.kind === 'job') checkContainerEnv(app, container);
    },
  );

  it('the APIs also start with an identity provider instead of JWT_SECRET (both references are optional)', () => {
    const withJwks = {
      configMaps: new Map(
        [...sources.configMaps].map(([name, data]) => [
          name,
          { ...data, JWT_JWKS_URL: 'https://login.example.com/.well-known/jwks.json' },
        ]),
      ),
      secrets: new Map(
        [...sources.secrets].map(([name, data]) => [
          name,
          Object.fromEntries(Object.entries(data).filter(([key]) => key !== 'JWT_SECRET')),
        ]),
      ),
    };
    for (const app of SERVICES.filter((candidate) => candidate.kind === 'api')) {
      const entries = named<Workload>('Deployment', app.name).spec.template.spec.containers[0]!.env ?? [];
      const optional = entries.filter(
        (entry) => (entry.valueFrom?.secretKeyRef ?? entry.valueFrom?.configMapKeyRef)?.optional,
      );
      expect(optional.map((entry) => entry.name)).toEqual(expect.arrayContaining(['JWT_SECRET', 'JWT_JWKS_URL']));
      // An optional key that is absent leaves the variable unset, as the kubelet does.
      const present = entries.filter((entry) => !(entry.name === 'JWT_SECRET'));
      const { env, problems } = resolveContainerEnv(present, withJwks);
      expect(problems).toEqual([]);
      expect(readConfigRecordingNames(app, env).error?.message).toBeUndefined();
    }
  });
});
