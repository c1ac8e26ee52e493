/**
 * Proves where ensureTemporalCli looks for the Temporal CLI, in order, without installing anything:
 * TEMPORAL_CLI_PATH (which must exist), then an executable `temporal` on PATH, then the per-user cache
 * under XDG_CACHE_HOME. The log handed in throws, so a lookup that wrongly falls through to an install
 * or a download fails the test instead of starting one.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ensureTemporalCli, temporalCliCacheDir } from './temporal-cli';
import { TEMPORAL_CLI_VERSION } from './temporal-cli-version';

const VARIABLES = ['TEMPORAL_CLI_PATH', 'PATH', 'XDG_CACHE_HOME'] as const;
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
let root: string;

const neverInstall = (line: string) => {
  throw new Error(`the lookup fell through to an install: ${line}`);
};

/** A fake binary: a shell script, executable unless told otherwise. */
function fakeBinary(path: string, { executable = true } = {}): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\necho fake temporal\n');
  chmodSync(path, executable ? 0o755 : 0o644);
  return path;
}

const dir = (name: string) => {
  const path = join(root, name);
  mkdirSync(path, { recursive: true });
  return path;
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'temporal-cli-spec-'));
  // Start from nothing findable: no explicit path, an empty PATH entry, an empty cache.
  delete process.env.TEMPORAL_CLI_PATH;
  process.env.PATH = dir('empty-bin');
  process.env.XDG_CACHE_HOME = dir('cache');
});

afterEach(() => {
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  rmSync(root, { recursive: true, force: true });
});

const cachedBinaryPath = () => join(root, 'cache', 'gyroscops', 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal');

describe('ensureTemporalCli', () => {
  it('TEMPORAL_CLI_PATH wins over PATH and the cache', async () => {
    const explicit = fakeBinary(join(root, 'explicit', 'my-temporal'));
    process.env.TEMPORAL_CLI_PATH = explicit;
    fakeBinary(join(dir('bin'), 'temporal'));
    process.env.PATH = join(root, 'bin');
    fakeBinary(cachedBinaryPath());

    expect(await ensureTemporalCli(neverInstall)).toBe(explicit);
  });

  it('a TEMPORAL_CLI_PATH that does not exist is a clear error, not a fallback', async () => {
    const missing = join(root, 'nowhere', 'temporal');
    process.env.TEMPORAL_CLI_PATH = missing;
    fakeBinary(cachedBinaryPath());

    await expect(ensureTemporalCli(neverInstall)).rejects.toThrow(
      `TEMPORAL_CLI_PATH=${missing} is not an executable file`,
    );
  });

  it('a TEMPORAL_CLI_PATH naming a directory is refused too', async () => {
    process.env.TEMPORAL_CLI_PATH = dir('a-directory');
    await expect(ensureTemporalCli(neverInstall)).rejects.toThrow(/is not an executable file/);
  });

  it('then takes the first `temporal` on PATH, before the cache', async () => {
    const first = fakeBinary(join(dir('first'), 'temporal'));
    fakeBinary(join(dir('second'), 'temporal'));
    fakeBinary(cachedBinaryPath());
    process.env.PATH = ['', join(root, 'empty-bin'), join(root, 'first'), join(root, 'second')].join(delimiter);

    expect(await ensureTemporalCli(neverInstall)).toBe(first);
  });

  it('skips a `temporal` on PATH that is not executable, as a shell would', async () => {
    fakeBinary(join(dir('not-executable'), 'temporal'), { executable: false });
    const runnable = fakeBinary(join(dir('runnable'), 'temporal'));
    process.env.PATH = [join(root, 'not-executable'), join(root, 'runnable')].join(delimiter);

    expect(await ensureTemporalCli(neverInstall)).toBe(runnable);
  });

  it('then the per-user cache under XDG_CACHE_HOME', async () => {
    const cached = fakeBinary(cachedBinaryPath());

    expect(temporalCliCacheDir()).toBe(join(root, 'cache', 'gyroscops', 'temporal-cli', TEMPORAL_CLI_VERSION));
    expect(await ensureTemporalCli(neverInstall)).toBe(cached);
  });

  it('then a binary an earlier run downloaded into the cache', async () => {
    const downloaded = fakeBinary(join(temporalCliCacheDir(), 'download', 'temporal-cli-1.5.1', 'temporal'));
    writeFileSync(join(temporalCliCacheDir(), 'download', 'temporal-cli-1.5.1.tar.gz'), 'archive');

    expect(await ensureTemporalCli(neverInstall)).toBe(downloaded);
  });

  it('falls through to an install only when nothing is found (stopped here by the throwing log)', async () => {
    await expect(ensureTemporalCli(neverInstall)).rejects.toThrow(/fell through to an install/);
  });
});
