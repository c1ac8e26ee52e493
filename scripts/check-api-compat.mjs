#!/usr/bin/env node
/**
 * `npm run check:api` (part of `npm test`): the OpenAPI documents frontends build against may only
 * break with a major version. Each committed document (packages/api-client/openapi/<api>.json, whose
 * `info.version` is @gyroscops/api-client's version) is compared with the last released one
 * (packages/api-client/openapi/released/<api>.json) by oasdiff, whose versioning policy is the rule:
 *
 * - breaking changes (a removed route, a new required request field, a response field or enum value
 *   clients did not expect...) with the same major version: fail, listing them;
 * - breaking changes with a major bump: pass (listed);
 * - additive changes (new routes, optional fields, response headers): pass; they call for a minor
 *   bump when released;
 * - a version lower than the released one: fail.
 *
 * `node scripts/check-api-compat.mjs --release` records the current documents as the released ones
 * (run it when publishing @gyroscops/api-client, and commit the result).
 * `--current <dir>` and `--released <dir>` compare other folders (the check's own test uses them).
 *
 * oasdiff is a Go program: the first run on a machine builds it with `go install` into
 * ${XDG_CACHE_HOME:-~/.cache}/gyroscops/oasdiff/<version>/ (about a minute), under a lock so that
 * parallel runs build it once; `OASDIFF_PATH` names a binary to use instead.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { copyFile, readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OPENAPI_DIR = join(ROOT, 'packages', 'api-client', 'openapi');
/** A version the Go module proxy serves; oasdiff's `--fail-on MISSING-VERSION-BUMP` is the rule above. */
const OASDIFF_MODULE = 'github.com/oasdiff/oasdiff';
const OASDIFF_VERSION = 'v1.39.0';

const isExecutable = (path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

const isAlive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
};

/**
 * Runs `install` under a cross-process lock (an atomic mkdir holding the owner's pid, as the Temporal
 * CLI's install does): waiters poll until the binary is there, and take a lock whose owner died.
 */
async function installOnce(lockDir, ready, install) {
  for (;;) {
    if (ready()) return;
    try {
      mkdirSync(lockDir);
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      let holder;
      try {
        holder = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
      } catch {
        holder = undefined;
      }
      if (Number.isSafeInteger(holder) && holder > 0 && !isAlive(holder))
        rmSync(lockDir, { recursive: true, force: true });
      else await sleep(1_000);
      continue;
    }
    try {
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      if (!ready()) await install();
      return;
    } finally {
      rmSync(lockDir, { recursive: true, force: true });
    }
  }
}

/** The oasdiff binary: OASDIFF_PATH, or the per-user cache, built there with `go install` when missing. */
async function oasdiffBinary() {
  if (process.env.OASDIFF_PATH) return process.env.OASDIFF_PATH;
  const cacheDir = join(
    process.env.XDG_CACHE_HOME || join(homedir(), '.cache'),
    'gyroscops',
    'oasdiff',
    OASDIFF_VERSION,
  );
  const binary = join(cacheDir, 'oasdiff');
  if (isExecutable(binary)) return binary;
  mkdirSync(dirname(cacheDir), { recursive: true });
  await installOnce(
    `${cacheDir}.install-lock`,
    () => isExecutable(binary),
    async () => {
      console.error(
        `check-api-compat: building oasdiff ${OASDIFF_VERSION} with go install into ${cacheDir} (once per machine, about a minute)`,
      );
      // Built into a staging folder and moved in whole: an interrupted build leaves no half binary behind.
      const staging = join(dirname(cacheDir), `.staging-${process.pid}`);
      rmSync(staging, { recursive: true, force: true });
      try {
        await run('go', ['install', `${OASDIFF_MODULE}@${OASDIFF_VERSION}`], {
          env: { ...process.env, GOBIN: staging, GOFLAGS: process.env.GOFLAGS ?? '-trimpath' },
          maxBuffer: 64 * 1024 * 1024,
        });
      } catch (error) {
        throw new Error(
          `go install ${OASDIFF_MODULE}@${OASDIFF_VERSION} failed (is Go installed? OASDIFF_PATH may name an oasdiff binary): ${error.stderr || error.message}`,
        );
      }
      mkdirSync(cacheDir, { recursive: true });
      renameSync(join(staging, 'oasdiff'), binary);
      rmSync(staging, { recursive: true, force: true });
    },
  );
  return binary;
}

/** `1.2.3` (or `1.2.3-rc.1`) as numbers; anything else stops the check. */
function parseVersion(version, where) {
  const match = /^(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?$/.exec(String(version));
  if (!match) throw new Error(`${where}: info.version ${JSON.stringify(version)} is not a semantic version`);
  return match.slice(1, 4).map(Number);
}

const compareVersions = (a, b) => a.map((part, index) => part - b[index]).find((difference) => difference !== 0) ?? 0;

/** Compares one API's document with its released one; resolves to the lines to print and whether it passed. */
async function checkApi(oasdiff, name, currentFile, releasedFile) {
  const current = JSON.parse(await readFile(currentFile, 'utf8'));
  const released = JSON.parse(await readFile(releasedFile, 'utf8'));
  const currentVersion = parseVersion(current.info?.version, relative(ROOT, currentFile));
  const releasedVersion = parseVersion(released.info?.version, relative(ROOT, releasedFile));
  const versions = `${released.info.version} (released) -> ${current.info.version}`;
  if (compareVersions(currentVersion, releasedVersion) < 0)
    return { ok: false, report: `${name}: ${versions}: the version went down` };
  const { code, output } = await new Promise((resolvePromise, reject) => {
    execFile(
      oasdiff,
      [
        'breaking',
        releasedFile,
        currentFile,
        '--fail-on',
        'MISSING-VERSION-BUMP',
        '--format',
        'text',
        '--color',
        'never',
        '--allow-external-refs=false',
      ],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolvePromise({ code: error ? error.code : 0, output: `${stdout}${stderr}`.trim() });
      },
    );
  });
  // 0: no breaking change, or a major bump allows them; 1: breaking changes within the same major.
  if (code !== 0 && code !== 1) throw new Error(`oasdiff failed on ${name} (exit ${code}):\n${output}`);
  return { ok: code === 0, report: `${name}: ${versions}\n${output.replace(/^/gm, '  ')}` };
}

async function main() {
  const { values } = parseArgs({
    options: {
      release: { type: 'boolean', default: false },
      current: { type: 'string', default: OPENAPI_DIR },
      released: { type: 'string', default: join(OPENAPI_DIR, 'released') },
    },
  });
  const currentDir = resolve(values.current);
  const releasedDir = resolve(values.released);
  const names = (await readdir(currentDir))
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
  if (names.length === 0) throw new Error(`no OpenAPI document in ${currentDir}`);

  if (values.release) {
    mkdirSync(releasedDir, { recursive: true });
    for (const name of names) await copyFile(join(currentDir, `${name}.json`), join(releasedDir, `${name}.json`));
    console.log(
      `recorded ${names.join(', ')} as released in ${relative(ROOT, releasedDir) || releasedDir}: commit them`,
    );
    return;
  }

  const oasdiff = await oasdiffBinary();
  const released = new Set((await readdir(releasedDir).catch(() => [])).filter((file) => file.endsWith('.json')));
  const failures = [];
  for (const name of names) {
    if (!released.has(`${name}.json`)) {
      console.log(`${name}: never released, nothing to compare with`);
      continue;
    }
    const { ok, report } = await checkApi(
      oasdiff,
      name,
      join(currentDir, `${name}.json`),
      join(releasedDir, `${name}.json`),
    );
    console.log(report);
    if (!ok) failures.push(name);
  }
  if (failures.length > 0) {
    console.error(
      `\nBreaking API changes without a major version bump in ${failures.join(', ')}.\n` +
        'Make the change additive (a new route or field, optional fields), or bump the major version of ' +
        '@gyroscops/api-client (packages/api-client/package.json) and run `npm run openapi`.',
    );
    process.exitCode = 1;
  } else console.log(`\nAPI compatibility: ${names.length} documents checked against their released versions.`);
}

main().catch((error) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(2);
});
