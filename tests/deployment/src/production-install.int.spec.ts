/**
 * Each app's production install starts: laid out as its image is (turbo prune, the build, `npm ci
 * --omit=dev`), outside the monorepo, so a module it imports but does not declare (or declares only
 * as a devDependency, as the cli once did with the benchmark's autocannon) is missing here as in the
 * image. The cli runs `migrate` for real; each service starts on its own and reports itself ready
 * against the test run's Postgres, Redis and Temporal, then drains on SIGTERM.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  createTestEnvironment,
  freePort,
  httpReady,
  SupervisedProcess,
  type TestEnvironment,
} from '@gyroscops/dev-infra';
import { DEPLOYABLE_APPS, MINIMAL_ENV, SERVICES, type DeployableApp } from './deployable-apps';
import { installForProduction, type ProductionInstall } from './production-install';

const run = promisify(execFile);

/** Runs `items` through `task`, `concurrency` at a time (the machines have two cores). */
async function eachWithConcurrency<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) await task(items[index]!);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

const installs = new Map<string, ProductionInstall>();
let environment: TestEnvironment;

beforeAll(async () => {
  environment = await createTestEnvironment();
  // One clean `npm ci --omit=dev`, then the others from it (see installForProduction).
  const [first, ...others] = DEPLOYABLE_APPS;
  const seed = await installForProduction(first!.name);
  installs.set(first!.name, seed);
  await eachWithConcurrency(others, 2, async (app) => {
    installs.set(app.name, await installForProduction(app.name, seed));
  });
}, 300_000);

afterAll(async () => {
  await environment?.dispose();
  // Tens of thousands of files per install: seconds on an idle machine, much longer on a busy disk.
  await Promise.all([...installs.values()].map((install) => rm(install.pruneFolder, { recursive: true, force: true })));
}, 300_000);

/** The environment an image gets in production: only what its config reads, nothing of this machine's. */
const productionEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NODE_ENV: 'production',
  EVENT_STORE_DATABASE_URL: environment.eventStoreDatabaseUrl,
  READ_DATABASE_URL: environment.readDatabaseUrl,
  ...extra,
});

describe('production installs (turbo prune, build, npm ci --omit=dev), as each image holds its app', () => {
  it.each(DEPLOYABLE_APPS.map((app) => [app.name] as const))('%s: holds no development tooling', (name) => {
    const { root } = installs.get(name)!;
    // Root devDependencies: present, they would hide a missing declaration as they did in the monorepo.
    for (const devOnly of ['typescript', 'jest', 'turbo', 'knip', 'autocannon']) {
      expect({ devOnly, installed: existsSync(join(root, 'node_modules', devOnly)) }).toEqual({
        devOnly,
        installed: false,
      });
    }
    expect(existsSync(join(root, 'apps', name, 'dist', 'main.js'))).toBe(true);
  });

  it('cli: prints its usage and `migrate --help` with no database, and `migrate` migrates both databases', async () => {
    const { appFolder } = installs.get('cli')!;
    const cli = (args: string[]) =>
      run(process.execPath, ['dist/main.js', ...args], { cwd: appFolder, env: productionEnv({}), timeout: 60_000 });

    expect((await cli([])).stdout).toMatch(/^usage: gyroscops <command>\n(.|\n)* {2}migrate /);
    // No database is reachable with this URL: `--help` must not try.
    const help = await run(process.execPath, ['dist/main.js', 'migrate', '--help'], {
      cwd: appFolder,
      env: { PATH: process.env.PATH, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
      timeout: 30_000,
    });
    expect(help.stdout).toContain('gyroscops migrate: create the databases when missing and run every migration');

    // The image's command, as compose's `migrate` service and the Kubernetes Job run it.
    const first = await cli(['migrate']);
    for (const set of ['event_store', 'idempotency', 'simulated_gateway', 'projections', 'read_models'])
      expect(first.stdout).toMatch(new RegExp(`\\[migrate\\] ${set}: applied `));
    const again = await cli(['migrate']);
    expect(
      again.stdout
        .trim()
        .split('\n')
        .every((line) => line.endsWith('up to date')),
    ).toBe(true);
  }, 120_000);

  const serviceEnv = async (app: DeployableApp): Promise<{ env: Record<string, string>; port: number }> => {
    const port = await freePort();
    return {
      port,
      env: {
        ...(MINIMAL_ENV as Record<string, string>),
        [app.portVariable!]: String(port),
        REDIS_URL: environment.redisUrl,
        REDIS_KEY_PREFIX: environment.redisPrefix,
        TEMPORAL_ADDRESS: environment.temporalAddress,
        TEMPORAL_NAMESPACE: environment.namespace,
        // The cli's `migrate` above ran the migrations, as compose and Kubernetes run it first.
        MIGRATE_ON_START: 'false',
        LOG_LEVEL: 'warn',
      },
    };
  };

  it.each(SERVICES.map((app) => [app.name, app] as const))(
    '%s: starts from it, reports itself ready, and drains on SIGTERM',
    async (name, app) => {
      const { appFolder } = installs.get(name)!;
      const { env, port } = await serviceEnv(app);
      const service = new SupervisedProcess({
        name,
        command: process.execPath,
        args: ['dist/main.js'],
        cwd: appFolder,
        env: productionEnv(env),
        isReady: httpReady(`http://127.0.0.1:${port}/health/ready`),
        readyTimeoutMs: 60_000,
        outputLines: 40,
      });
      try {
        await service.start();
        // Past SHUTDOWN_TIMEOUT_MS (25 s by default) a service exits 1: a clean drain is exit code 0.
        await expect(service.kill('SIGTERM')).resolves.toEqual({ code: 0, signal: null });
      } finally {
        await service.stop();
      }
    },
    120_000,
  );
});
