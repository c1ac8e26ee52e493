/**
 * The images' Dockerfiles, checked without a Docker engine: each apps/<app>/Dockerfile is the
 * current render of the one template (so the six cannot drift), builds only its own app
 * (`turbo prune` of that package, really run here, holds exactly the app and its workspace
 * dependencies, and every path the later stages copy out of it), runs as a non-root user with a
 * health check on the app's own port, on a Node the code supports, copies nothing from the context
 * that .dockerignore hides, and passes the Dockerfile validator of Docker's language server.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { satisfies } from 'semver';
import { DEPLOYABLE_APPS, MINIMAL_ENV, SERVICES } from './deployable-apps';
import { parseCopy, parseDockerfile, type DockerfileStage } from './dockerfile-instructions';
import { lintDockerfile } from './dockerfile-lint';
import { isIgnoredByDockerignore } from './dockerignore';
import {
  readRepositoryFile,
  readWorkspaceManifest,
  repositoryFileExists,
  repositoryPath,
  REPOSITORY_ROOT,
} from './repository';
import { turboPrune } from './turbo-prune';
import { workspaceClosure, workspaceFolders } from './workspaces';

const run = promisify(execFile);
const dockerfileOf = (app: string) => parseDockerfile(readRepositoryFile('apps', app, 'Dockerfile'));
const stage = (stages: DockerfileStage[], name: string) => stages.find((candidate) => candidate.name === name)!;
const argsOf = (stage: DockerfileStage, keyword: string) =>
  stage.instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);

describe('Dockerfiles', () => {
  it('apps/<app>/Dockerfile are the current renders of infra/docker/Dockerfile.template', async () => {
    await expect(
      run(process.execPath, [repositoryPath('infra/docker/render-dockerfiles.cjs'), '--check'], {
        cwd: REPOSITORY_ROOT,
      }),
    ).resolves.toBeDefined();
  });

  it('run on Node 22, a Node the code supports, while it still supports the Node 20 of the machines', () => {
    const engines = (JSON.parse(readRepositoryFile('package.json')) as { engines: { node: string } }).engines.node;
    expect(satisfies('22.0.0', engines)).toBe(true);
    expect(satisfies('20.19.0', engines)).toBe(true);
    // The code is typed against Node 20's API, so nothing newer slips in while the images run 22.
    const typesNode = (JSON.parse(readRepositoryFile('package.json')) as { devDependencies: Record<string, string> })
      .devDependencies['@types/node'];
    expect(typesNode).toMatch(/^\^20\./);
  });

  it.each(DEPLOYABLE_APPS.map((app) => [app.name, app] as const))(
    '%s: multi-stage on node:22-bookworm-slim, pruned to its own package, run as node',
    (name, app) => {
      const { globalArgs, stages } = dockerfileOf(name);
      expect(stages.map((candidate) => candidate.name)).toEqual(['base', 'pruner', 'builder', 'runtime']);
      // glibc, not musl: Temporal's native core has no Alpine build.
      expect(globalArgs.get('NODE_IMAGE')).toBe('node:22-bookworm-slim');
      expect(stage(stages, 'base').from).toBe('${NODE_IMAGE}');
      expect(stage(stages, 'runtime').from).toBe('${NODE_IMAGE}');

      const pruner = stage(stages, 'pruner');
      expect(argsOf(pruner, 'RUN')).toContain(`turbo prune "@gyroscops/${name}" --docker`);
      // The pruner installs the turbo the repository itself runs, so the image prunes as the test below does.
      const turboVersion = (
        JSON.parse(readFileSync(repositoryPath('node_modules/turbo/package.json'), 'utf8')) as { version: string }
      ).version;
      expect(argsOf(pruner, 'ARG')).toContain(`TURBO_VERSION=${turboVersion}`);
      expect(argsOf(stage(stages, 'builder'), 'RUN')).toContain(
        `npx turbo run build --filter="@gyroscops/${name}" --output-logs=errors-only`,
      );

      const runtime = stage(stages, 'runtime');
      const keywords = runtime.instructions.map((instruction) => instruction.keyword);
      expect(argsOf(runtime, 'USER')).toEqual(['node']);
      expect(keywords.indexOf('USER')).toBeLessThan(keywords.indexOf('CMD'));
      expect(argsOf(runtime, 'WORKDIR').at(-1)).toBe(`/app/apps/${name}`);
      expect(argsOf(runtime, 'ENV').join(' ')).toContain(`APP=${name}`);
      // The command runs the app's built entry point.
      expect(repositoryFileExists('apps', name, 'src', 'main.ts')).toBe(true);
      const command = JSON.parse(argsOf(runtime, 'CMD')[0]!) as string[];
      expect(command.slice(0, 2)).toEqual(['node', 'dist/main.js']);

      if (app.kind === 'job') {
        expect(command).toEqual(['node', 'dist/main.js', 'migrate']);
        expect(argsOf(runtime, 'HEALTHCHECK')).toEqual(['NONE']);
        expect(argsOf(runtime, 'EXPOSE')).toEqual([]);
      } else {
        expect(command).toEqual(['node', 'dist/main.js']);
        expect(argsOf(runtime, 'HEALTHCHECK')).toEqual([
          expect.stringMatching(/ CMD \["node", "\/usr\/local\/lib\/gyroscops\/healthcheck\.cjs"\]$/),
        ]);
        expect(argsOf(runtime, 'EXPOSE')).toEqual([String(app.portOf!(MINIMAL_ENV))]);
      }
    },
  );

  it('copy from the build context only files that exist and that .dockerignore lets through', () => {
    const dockerignore = readRepositoryFile('.dockerignore');
    for (const app of DEPLOYABLE_APPS) {
      for (const current of dockerfileOf(app.name).stages) {
        for (const args of argsOf(current, 'COPY')) {
          const copy = parseCopy(args);
          if (copy.from) continue;
          for (const source of copy.sources.filter((candidate) => candidate !== '.')) {
            expect({
              source,
              exists: repositoryFileExists(source),
              ignored: isIgnoredByDockerignore(source, dockerignore),
            }).toEqual({ source, exists: true, ignored: false });
          }
        }
      }
    }
    // What a host build leaves behind stays out of the context (and out of `COPY . .`).
    for (const path of [
      'node_modules',
      'apps/command-api/node_modules/x',
      'packages/platform/dist/index.js',
      '.git/HEAD',
      '.env',
      'apps/cli/.env.local',
      '.turbo/x',
    ]) {
      expect({ path, ignored: isIgnoredByDockerignore(path, dockerignore) }).toEqual({ path, ignored: true });
    }
    expect(isIgnoredByDockerignore('packages/platform/src/index.ts', dockerignore)).toBe(false);
  });

  describe("the Dockerfile validator of Docker's language server (dockerfile-utils)", () => {
    it('every Dockerfile passes it', () => {
      // The renders, not the template: its {{PLACEHOLDER}} lines are not instructions yet.
      for (const file of DEPLOYABLE_APPS.map((app) => `apps/${app.name}/Dockerfile`)) {
        expect({ file, problems: lintDockerfile(readRepositoryFile(file)) }).toEqual({ file, problems: [] });
      }
    });

    it('a Dockerfile that breaks it is reported (the check is not vacuous)', () => {
      const broken = [
        'FROM node:22-bookworm-slim AS build',
        'workdir app',
        'COPY --chmown=node . .',
        'HEALTHCHECK --interval=5 CMD ["true"]',
        'CMD ["node", "a.js"]',
        'CMD ["node", "b.js"]',
        '',
      ].join('\n');
      expect(
        lintDockerfile(broken)
          .map((problem) => `${problem.line} ${problem.code}`)
          .sort(),
      ).toEqual([
        '2 CASING_INSTRUCTION',
        '2 WORKDIR_IS_NOT_ABSOLUTE',
        '3 UNKNOWN_COPY_FLAG',
        '4 FLAG_MISSING_DURATION',
        '5 MULTIPLE_INSTRUCTIONS',
      ]);
    });
  });

  describe('turbo prune, as each pruner stage runs it', () => {
    const folders = workspaceFolders();
    const pruned = new Map<string, string>();

    beforeAll(async () => {
      // All six at once: about 3 s each alone.
      await Promise.all(
        DEPLOYABLE_APPS.map(async (app) => pruned.set(app.name, await turboPrune(`@gyroscops/${app.name}`))),
      );
    }, 180_000);
    afterAll(() => {
      for (const out of pruned.values()) rmSync(out, { recursive: true, force: true });
    });

    it.each(DEPLOYABLE_APPS.map((app) => [app.name] as const))(
      '%s: holds exactly the app and its workspace dependencies, and every path the builder copies',
      (name) => {
        const out = pruned.get(name)!;
        const workspacesIn = (part: string) =>
          ['apps', 'packages', 'tests'].flatMap((parent) => {
            try {
              return readdirSync(join(out, part, parent)).map((entry) => `${parent}/${entry}`);
            } catch {
              return [];
            }
          });
        const expected = [...workspaceClosure(`@gyroscops/${name}`, folders)].sort();
        expect(workspacesIn('full').sort()).toEqual(expected);
        expect(workspacesIn('json').sort()).toEqual(expected);
        expect(expected.filter((folder) => folder.startsWith('apps/'))).toEqual([`apps/${name}`]);

        // COPY --from=pruner /app/out/json/ and /app/out/full/: manifests with the pruned lockfile, then sources.
        for (const path of [
          'json/package.json',
          'json/package-lock.json',
          'full/package.json',
          `full/apps/${name}/src/main.ts`,
        ]) {
          expect({ path, exists: existsSync(join(out, path)) }).toEqual({ path, exists: true });
        }
        // turbo prune copies no root tsconfig: every tsconfig it does copy extends only what is in
        // the pruned tree or what the builder stage copies next to it (tsconfig.base.json).
        const copiedByBuilder = argsOf(stage(dockerfileOf(name).stages, 'builder'), 'COPY')
          .map((args) => parseCopy(args))
          .filter((copy) => !copy.from)
          .flatMap((copy) => copy.sources);
        for (const folder of expected) {
          for (const file of ['tsconfig.json', 'tsconfig.build.json']) {
            if (!repositoryFileExists(folder, file)) continue;
            const extended = (JSON.parse(readRepositoryFile(folder, file)) as { extends?: string }).extends;
            if (!extended || !extended.startsWith('.')) continue;
            const target = posix.normalize(posix.join(folder, extended));
            expect({
              tsconfig: `${folder}/${file}`,
              resolved: existsSync(join(out, 'full', target)) || copiedByBuilder.includes(target),
            }).toEqual({
              tsconfig: `${folder}/${file}`,
              resolved: true,
            });
          }
        }
        // Each pruned workspace can be built by `turbo run build`.
        for (const folder of expected.filter((candidate) => !candidate.startsWith('tests/'))) {
          expect({ folder, build: Boolean(readWorkspaceManifest(folder).scripts?.build) }).toEqual({
            folder,
            build: true,
          });
        }
      },
    );
  });
});

describe('infra/docker/healthcheck.cjs, the images’ HEALTHCHECK', () => {
  let server: Server;
  let status = 200;
  let port = 0;
  beforeAll(async () => {
    server = createServer((request, response) => {
      response.writeHead(request.url === '/health/live' ? status : 404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const probe = (env: Record<string, string>) =>
    run(process.execPath, [repositoryPath('infra/docker/healthcheck.cjs')], {
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 30_000,
    }).then(
      () => 0,
      (error: { code?: number }) => error.code ?? -1,
    );

  it.each(SERVICES.map((app) => [app.name, app] as const))(
    '%s: probes /health/live on the port its config reads, and its default is the config default',
    async (name, app) => {
      status = 200;
      expect(await probe({ APP: name, [app.portVariable!]: String(port) })).toBe(0);
      status = 503;
      expect(await probe({ APP: name, [app.portVariable!]: String(port) })).toBe(1);
      // The same default port as the app's config when the variable is unset.
      const table = readRepositoryFile('infra/docker/healthcheck.cjs');
      expect(table).toContain(`'${name}': ['${app.portVariable}', ${app.portOf!(MINIMAL_ENV)}]`);
    },
  );

  it('has nothing to probe in the migrate image', async () => {
    expect(await probe({ APP: 'cli' })).toBe(0);
  });
});
