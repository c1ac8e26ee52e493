/**
 * docker-compose.yml checked without Docker: DCLint validates it against the Compose
 * specification's JSON schema and its rules, and the model Compose would load from it (merge keys
 * resolved, variables interpolated as the shell would give them) must fit the apps: each app built
 * from its own Dockerfile, given only variables its config reads and an environment that config
 * accepts, with its ports, health check and start order.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_JWT_SECRET } from '@gyroscops/platform';
import { lintComposeFile, loadComposeProject, unquotedPorts, type ComposeProject } from './compose-file';
import { DEPLOYABLE_APPS, MINIMAL_ENV, SERVICES, readConfigRecordingNames } from './deployable-apps';
import { REPOSITORY_ROOT, repositoryPath } from './repository';

/** Infrastructure the stack runs besides the apps. */
const INFRASTRUCTURE = ['postgres', 'redis', 'temporal', 'temporal-ui'];
/** The compose service of each app (the cli image runs as `migrate`). */
const composeServiceOf = (app: string) => (app === 'cli' ? 'migrate' : app);

const project: ComposeProject = loadComposeProject();

describe('docker-compose.yml', () => {
  it('runs Postgres, Redis, Temporal with its UI, the migration and the five apps', () => {
    expect(Object.keys(project.services).sort()).toEqual(
      [...INFRASTRUCTURE, ...DEPLOYABLE_APPS.map((app) => composeServiceOf(app.name))].sort(),
    );
  });

  it('is valid against the Compose specification and passes DCLint', async () => {
    expect(await lintComposeFile(repositoryPath('docker-compose.yml'))).toEqual([]);
    expect(unquotedPorts(repositoryPath('docker-compose.yml'))).toEqual([]);
  });

  it('a file that breaks the Compose specification or the rules is refused (the check is not vacuous)', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'gyroscops-compose-'));
    try {
      writeFileSync(join(folder, 'compose.yml'), 'services:\n  api:\n    image: x\n    helthcheck: {}\n');
      expect(await lintComposeFile(join(folder, 'compose.yml'))).toEqual([
        expect.objectContaining({ rule: 'invalid-schema', message: expect.stringContaining('additional properties') }),
      ]);
      writeFileSync(
        join(folder, 'compose.yml'),
        'name: x\nservices:\n  api:\n    image: node\n    ports: ["3000:3000"]\n',
      );
      expect((await lintComposeFile(join(folder, 'compose.yml'))).map((message) => message.rule).sort()).toEqual([
        'no-unbound-port-interfaces',
        'service-image-require-explicit-tag',
      ]);
      writeFileSync(
        join(folder, 'compose.yml'),
        'services:\n  api:\n    ports: [\'127.0.0.1:80:80\', "127.0.0.1:81:81", 127.0.0.1:22:22]\n',
      );
      expect(unquotedPorts(join(folder, 'compose.yml'))).toEqual(['127.0.0.1:22:22']);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('depends only on services it defines, and names the volumes it declares', () => {
    for (const [name, service] of Object.entries(project.services)) {
      for (const dependency of Object.keys(service.depends_on ?? {}))
        expect({ name, dependency, defined: dependency in project.services }).toEqual({
          name,
          dependency,
          defined: true,
        });
      for (const volume of service.volumes ?? []) {
        const source =
          typeof volume === 'string' ? volume.split(':')[0]! : volume.type === 'volume' ? volume.source : undefined;
        // Paths (./data, /var/run/...) are bind mounts; anything else is a named volume.
        if (source && !/^[./~]/.test(source))
          expect({ name, volume: source, declared: source in project.volumes }).toEqual({
            name,
            volume: source,
            declared: true,
          });
      }
    }
    expect(Object.keys(project.volumes)).toEqual(['postgres-data']);
  });

  it.each(DEPLOYABLE_APPS.map((app) => [app.name, app] as const))(
    '%s: built from its own Dockerfile, with an environment its config reads and accepts',
    (name, app) => {
      const service = project.services[composeServiceOf(name)]!;
      expect(service.build).toEqual(
        expect.objectContaining({ context: REPOSITORY_ROOT, dockerfile: `apps/${name}/Dockerfile` }),
      );
      expect(service.image).toBe(`gyroscops/${name}:local`);
      expect(service.init).toBe(true);

      // Blank values (an unset ${JWT_JWKS_URL:-}) count as unset, as the apps' EnvReader treats them.
      const env = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([key, value]) => [key, value ?? undefined]),
      );
      const read = readConfigRecordingNames(app, env);
      expect(read.error?.message).toBeUndefined();
      expect(Object.keys(env).filter((key) => !read.namesRead.has(key))).toEqual([]);

      // Every URL and address points at a service of this stack.
      for (const [key, value] of Object.entries(env)) {
        const host =
          /^[a-z]+:\/\/(?:[^@/]*@)?([^:/]+)/.exec(value ?? '')?.[1] ??
          (key === 'TEMPORAL_ADDRESS' ? value?.split(':')[0] : undefined);
        if (host) expect({ key, host, known: host in project.services }).toEqual({ key, host, known: true });
      }
    },
  );

  it.each(SERVICES.map((app) => [app.name, app] as const))(
    '%s: health-checked on its port, started after the migration',
    (name, app) => {
      const service = project.services[name]!;
      const env = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([key, value]) => [key, value ?? undefined]),
      );
      // The config's default port, set explicitly (the addresses infra/README.md gives).
      const port = app.portOf!(env);
      expect(port).toBe(app.portOf!(MINIMAL_ENV));
      expect(env[app.portVariable!]).toBe(String(port));
      expect(service.healthcheck?.test).toEqual(['CMD', 'node', '/usr/local/lib/gyroscops/healthcheck.cjs']);
      expect(service.depends_on?.migrate?.condition).toBe('service_completed_successfully');
      expect(service.restart).toBe('unless-stopped');
      // APIs publish their port on the host's loopback only; workers publish nothing (they scale freely).
      expect(service.ports ?? []).toEqual(
        app.kind === 'api' ? [{ target: port, published: String(port), host_ip: '127.0.0.1' }] : [],
      );
    },
  );

  it('the APIs default to the development secret `npm run token` signs with', () => {
    for (const app of SERVICES.filter((candidate) => candidate.kind === 'api')) {
      expect(project.services[app.name]!.environment?.JWT_SECRET).toBe(DEV_JWT_SECRET);
    }
  });

  it('the migration runs once, and the Temporal UI talks to the Temporal server', () => {
    expect(project.services.migrate!.restart).toBe('no');
    expect(project.services.migrate!.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(project.services['temporal-ui']!.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(project.services.temporal!.ports?.map((published) => published.target)).toEqual([7233]);
  });

  it('takes TEMPORAL_ADDRESS and the JWT settings from the shell, for a real cluster and an identity provider', () => {
    const overridden = loadComposeProject({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      JWT_SECRET: '',
      JWT_JWKS_URL: 'https://login.example.com/.well-known/jwks.json',
    });
    for (const app of SERVICES) {
      const env = Object.fromEntries(
        Object.entries(overridden.services[app.name]!.environment ?? {}).map(([key, value]) => [
          key,
          value || undefined,
        ]),
      );
      expect(env.TEMPORAL_ADDRESS).toBe('temporal.internal:7233');
      expect(readConfigRecordingNames(app, env).error?.message).toBeUndefined();
    }
  });
});
