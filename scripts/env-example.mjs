#!/usr/bin/env node
/**
 * `npm run env:example`: writes .env.example, every environment variable the five services read with
 * its default, what it accepts and a one-line description. It runs each service's configuration
 * reader (from its built `dist/`, hence the build before this in `npm run env:example`) while the
 * readers record what they look up, and takes the descriptions from
 * packages/platform/src/config/env-variables.ts (see renderEnvExample in @gyroscops/platform).
 *
 * `node scripts/env-example.mjs --check` writes nothing: it exits 1 when .env.example differs from what
 * the readers say. tests/deployment/src/env-example.unit.spec.ts makes the same comparison from the sources.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET = join(ROOT, '.env.example');
// The apps are CommonJS; resolve them (and their dependencies) as the root workspace does.
const require = createRequire(join(ROOT, 'package.json'));
const { otlpTracesEndpoint, renderEnvExample } = require('@gyroscops/platform');

/** The least a service starts with: the APIs refuse to start without a key for bearer tokens. */
const MINIMAL_ENV = { JWT_SECRET: 'env-example-generation-only-never-verifies-a-token' };

/** Each service's start-up reading: its config reader, then tracing, which its main starts from the standard OTEL_* variables. */
const SERVICES = [
  ['command-api', '@gyroscops/command-api', 'readCommandApiConfig'],
  ['query-api', '@gyroscops/query-api', 'readQueryApiConfig'],
  ['command-worker', '@gyroscops/command-worker', 'readCommandWorkerConfig'],
  ['projection-worker', '@gyroscops/projection-worker', 'readProjectionWorkerConfig'],
  ['query-worker', '@gyroscops/query-worker', 'readQueryWorkerConfig'],
].map(([name, workspace, reader]) => ({
  name,
  readConfig(env) {
    const config = require(workspace)[reader](env);
    otlpTracesEndpoint(env);
    return config;
  },
}));

async function main() {
  const expected = renderEnvExample(SERVICES, MINIMAL_ENV);
  if (process.argv.includes('--check')) {
    const committed = await readFile(TARGET, 'utf8').catch(() => '');
    if (committed === expected) return;
    console.error('.env.example is stale: run `npm run env:example` and commit it.');
    process.exitCode = 1;
    return;
  }
  await writeFile(TARGET, expected);
  console.log(`wrote ${TARGET}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
