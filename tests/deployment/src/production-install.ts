import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repositoryPath } from './repository';
import { turboPrune } from './turbo-prune';
import { workspaceClosure, workspaceFolders } from './workspaces';

const run = promisify(execFile);

/** An app installed as its image holds it: the pruned workspaces, built, with production dependencies only. */
export interface ProductionInstall {
  /** What `turbo prune` wrote (json/, full/): remove it when done. */
  pruneFolder: string;
  /** The image's /app: the root package.json, node_modules, apps/ and packages/. */
  root: string;
  /** The image's working directory, /app/apps/<app>. */
  appFolder: string;
}

/**
 * Lays out an app as its Dockerfile does, without Docker: `turbo prune <app> --docker` (the pruner
 * stage), the pruned manifests and sources, each pruned workspace's `dist/` as the repository's
 * build left it (the builder stage builds the same sources), then the production dependencies of
 * the pruned lockfile, which the builder stage keeps after `npm prune --omit=dev`: `npm ci
 * --omit=dev`, offline first from npm's cache (a clone's `npm ci` filled it).
 *
 * With `seed` (another app's install), its node_modules is first copied as hard links and `npm
 * install --omit=dev` brings the copy to this app's lockfile, adding what is missing and removing
 * what this app does not depend on: the same tree as `npm ci --omit=dev` (same file list, checked
 * when this was written), in seconds instead of half a minute of unpacking the same packages again.
 */
export async function installForProduction(app: string, seed?: ProductionInstall): Promise<ProductionInstall> {
  const pruneFolder = await turboPrune(`@gyroscops/${app}`);
  try {
    return await layOut(app, pruneFolder, seed);
  } catch (error) {
    // Hundreds of megabytes: nothing is left behind in the temporary folder when the install fails.
    rmSync(pruneFolder, { recursive: true, force: true });
    throw error;
  }
}

async function layOut(
  app: string,
  pruneFolder: string,
  seed: ProductionInstall | undefined,
): Promise<ProductionInstall> {
  const root = join(pruneFolder, 'app');
  cpSync(join(pruneFolder, 'json'), root, { recursive: true });
  cpSync(join(pruneFolder, 'full'), root, { recursive: true });
  for (const folder of workspaceClosure(`@gyroscops/${app}`, workspaceFolders())) {
    const dist = repositoryPath(folder, 'dist');
    if (!existsSync(dist)) throw new Error(`${folder}/dist is missing: build first (npx turbo run build)`);
    cpSync(dist, join(root, folder, 'dist'), { recursive: true });
  }
  // A bare environment: npm_config_* variables of an `npm test` around this run must not change the install.
  const options = {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    timeout: 180_000,
    maxBuffer: 16 * 1024 * 1024,
  };
  const flags = ['--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
  if (seed) {
    await run('cp', ['-al', join(seed.root, 'node_modules'), join(root, 'node_modules')], options);
    // npm rewrites its record of the tree in place: this copy gets a file of its own, not a link to the seed's.
    const record = join(root, 'node_modules', '.package-lock.json');
    copyFileSync(record, `${record}.copy`);
    renameSync(`${record}.copy`, record);
    await run('npm', ['install', ...flags], options);
  } else {
    await run('npm', ['ci', ...flags], options);
  }
  return { pruneFolder, root, appFolder: join(root, 'apps', app) };
}
