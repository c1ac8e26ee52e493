/**
 * docker-compose.yml through `docker compose config` (Docker Compose itself, built from its
 * sources by infra/tools/docker-compose.sh; `config` needs no engine): the file is valid against
 * the Compose specification, and the stack it describes fits the apps: each app built from its own
 * Dockerfile, given only variables its config reads and an environment that config accepts, with
 * its ports, health check and start order.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_JWT_SECRET } from '@gyroscops/platform';
import { DEPLOYABLE_APPS, MINIMAL_ENV, SERVICES, readConfigRecordingNames } from './deployable-apps';
import { dockerCompose, dockerComposeBinary } from './docker-compose-binary';
import { REPOSITORY_ROOT } from './repository';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string | null>;
  ports?: { target: number; published?: string }[];
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  init?: boolean;
  restart?: string;
}
interface ComposeProject {
  services: Record<string, ComposeService>;
}

/** Infrastructure the stack runs besides the apps. */
const INFRASTRUCTURE = ['postgres', 'redis', 'temporal', 'temporal-ui'];
/** The compose service of each app (the cli image runs as `migrate`). */
const composeServiceOf = (app: string) => (app === 'cli' ? 'migrate' : app);

let binary: string;
let project: ComposeProject;

beforeAll(async () => {
  binary = dockerComposeBinary();
  project = JSON.parse(await dockerCompose(binary, ['-f', 'docker-compose.yml', 'config', '--format', 'json'])) as ComposeProject;
}, 30 * 60_000);

describe('docker-compose.yml, as `docker compose config` reads it', () => {
  it('runs Postgres, Redis, Temporal with its UI, the migration and the five apps', () => {
    expect(Object.keys(project.services).sort()).toEqual([...INFRASTRUCTURE, ...DEPLOYABLE_APPS.map((app) => composeServiceOf(app.name))].sort());
  });

  it('a file that breaks the Compose specification is refused (the check is not vacuous)', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'gyroscops-compose-'));
    try {
      writeFileSync(join(folder, 'compose.yml'), 'services:\n  api:\n    image: x\n    restart: sometimes\n    helthcheck: {}\n');
      await expect(dockerCompose(binary, ['-f', join(folder, 'compose.yml'), 'config', '--quiet'])).rejects.toThrow(/helthcheck|additional property/i);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it.each(DEPLOYABLE_APPS.map((app) => [app.name, app] as const))('%s: built from its own Dockerfile, with an environment its config reads and accepts', (name, app) => {
    const service = project.services[composeServiceOf(name)]!;
    expect(service.build).toEqual(expect.objectContaining({ context: REPOSITORY_ROOT, dockerfile: `apps/${name}/Dockerfile` }));
    expect(service.image).toBe(`gyroscops/${name}:local`);
    expect(service.init).toBe(true);

    // Blank values (an unset ${JWT_JWKS_URL:-}) count as unset, as the apps' EnvReader treats them.
    const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, value ?? undefined]));
    const read = readConfigRecordingNames(app, env);
    expect(read.error?.message).toBeUndefined();
    expect(Object.keys(env).filter((key) => !read.namesRead.has(key))).toEqual([]);

    // Every URL and address points at a service of this stack.
    for (const [key, value] of Object.entries(env)) {
      const host = /^[a-z]+:\/\/(?:[^@/]*@)?([^:/]+)/.exec(value ?? '')?.[1] ?? (key === 'TEMPORAL_ADDRESS' ? value?.split(':')[0] : undefined);
      if (host) expect({ key, host, known: host in project.services }).toEqual({ key, host, known: true });
    }
  });

  it.each(SERVICES.map((app) => [app.name, app] as const))('%s: health-checked on its port, started after the migration', (name, app) => {
    const service = project.services[name]!;
    const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, value ?? undefined]));
    // The config's default port, set explicitly (the addresses infra/README.md gives).
    const port = app.portOf!(env);
    expect(port).toBe(app.portOf!(MINIMAL_ENV));
    expect(env[app.portVariable!]).toBe(String(port));
    expect(service.healthcheck?.test).toEqual(['CMD', 'node', '/usr/local/lib/gyroscops/healthcheck.cjs']);
    expect(service.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    expect(service.restart).toBe('unless-stopped');
    // APIs publish their port on the host; workers publish nothing (they scale freely).
    expect((service.ports ?? []).map((published) => published.target)).toEqual(app.kind === 'api' ? [port] : []);
  });

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

  it('takes TEMPORAL_ADDRESS and the JWT settings from the shell, for a real cluster and an identity provider', async () => {
    const overridden = JSON.parse(
      await dockerCompose(binary, ['-f', 'docker-compose.yml', 'config', '--format', 'json'], {
        TEMPORAL_ADDRESS: 'temporal.internal:7233',
        JWT_SECRET: '',
        JWT_JWKS_URL: 'https://login.example.com/.well-known/jwks.json',
      }),
    ) as ComposeProject;
    for (const app of SERVICES) {
      const env = Object.fromEntries(Object.entries(overridden.services[app.name]!.environment ?? {}).map(([key, value]) => [key, value || undefined]));
      expect(env.TEMPORAL_ADDRESS).toBe('temporal.internal:7233');
      expect(readConfigRecordingNames(app, env).error?.message).toBeUndefined();
    }
  });
});
