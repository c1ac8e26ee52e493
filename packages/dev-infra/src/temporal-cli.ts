import { execFile, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { installOnce } from './install-lock';
import { TEMPORAL_CLI_MODULE, TEMPORAL_CLI_VERSION } from './temporal-cli-version';

const execFileAsync = promisify(execFile);

/** Per-user cache folder, outside any clone, so every clone and CI run reuses one build. */
export function temporalCliCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'gyroscops', 'temporal-cli', TEMPORAL_CLI_VERSION);
}

/** A file this process may execute: a `temporal` without the execute bit is skipped, as a shell skips it. */
function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, binary);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function hasGo(): boolean {
  return spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
}

type Log = (line: string) => void;

async function goInstall(targetDir: string, log: Log): Promise<string> {
  log(
    `installing the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install into ${targetDir} (a first build takes several minutes)`,
  );
  mkdirSync(targetDir, { recursive: true });
  await execFileAsync('go', ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
    env: { ...process.env, GOBIN: targetDir, GOFLAGS: process.env.GOFLAGS ?? '-trimpath' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return join(targetDir, 'temporal');
}

/** Where Go is missing: the CLI build that @temporalio/testing downloads for its ephemeral server. */
async function downloadWithTestingPackage(targetDir: string, log: Log): Promise<string> {
  log(`go not found: downloading the Temporal CLI through @temporalio/testing into ${targetDir}`);
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const downloadDir = join(targetDir, 'download');
  mkdirSync(downloadDir, { recursive: true });
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'cached-download', downloadDir } },
  });
  await env.teardown();
  const found = findFileNamed(downloadDir, /^temporal(-cli)?[^/]*$/);
  if (!found) throw new Error(`the @temporalio/testing download left no temporal binary in ${downloadDir}`);
  return found;
}

function findFileNamed(dir: string, pattern: RegExp): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const nested = findFileNamed(path, pattern);
      if (nested) return nested;
    } else if (pattern.test(entry.name) && !entry.name.endsWith('.tar.gz') && !entry.name.endsWith('.zip')) {
      return path;
    }
  }
  return undefined;
}

/**
 * Finds a `temporal` binary: TEMPORAL_CLI_PATH, then PATH, then the per-user cache;
 * installs it into the cache with `go install` when none is found (or downloads it where Go is missing).
 */
export async function ensureTemporalCli(log: Log = (line) => console.error(`[temporal-cli] ${line}`)): Promise<string> {
  const explicit = process.env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not an executable file`);
    return explicit;
  }
  const onPath = findOnPath('temporal');
  if (onPath) return onPath;
  const cacheDir = temporalCliCacheDir();
  const cached = join(cacheDir, 'temporal');
  if (isExecutable(cached)) return cached;
  if (existsSync(join(cacheDir, 'download'))) {
    const downloaded = findFileNamed(join(cacheDir, 'download'), /^temporal(-cli)?[^/]*$/);
    if (downloaded) return downloaded;
  }
  mkdirSync(dirname(cacheDir), { recursive: true });
  // Parallel Jest runs on one machine would otherwise each compile the CLI at the same time.
  return installOnce(
    `${cacheDir}.install-lock`,
    () => (isExecutable(cached) ? cached : undefined),
    () => (hasGo() ? goInstall(cacheDir, log) : downloadWithTestingPackage(cacheDir, log)),
  );
}
