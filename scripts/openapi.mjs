#!/usr/bin/env node
/**
 * `npm run openapi`: writes the OpenAPI documents of the command and query APIs to
 * packages/api-client/openapi/*.json and the TypeScript types of their paths (openapi-typescript) to
 * packages/api-client/src/generated/*.ts, from which the typed clients of @gyroscops/api-client are made.
 *
 * The documents come from the real Fastify apps (their built `dist/`, hence the build before this in
 * `npm run openapi`): each app is built with connections that never connect (a lazy pg pool, a lazy
 * Redis client, a lazy Temporal connection), made ready, asked for `app.swagger()` and closed. Nothing
 * listens and no Postgres, Redis or Temporal is needed. Keys are sorted recursively so the files only
 * change when the contract does.
 *
 * `node scripts/openapi.mjs --check` writes nothing: it exits 1, naming each file that differs from what
 * the services generate (packages/api-client/src/openapi-documents.int.spec.ts runs it).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLIENT_PACKAGE = join(ROOT, 'packages', 'api-client');
// The apps are CommonJS; resolve them (and their dependencies) as the root workspace does.
const require = createRequire(join(ROOT, 'package.json'));

/** Never used to connect: the builders only keep these and the document is read before any request. */
const UNUSED_POSTGRES_URL = 'postgres://openapi@127.0.0.1:5432/openapi-generation-never-connects';
const UNUSED_SECRET = 'openapi-generation-only-never-verifies-a-token';

/** Every dependency an API builder may ask for, none of which opens a connection until it is used. */
function lazyDependencies() {
  const { Client, Connection } = require('@temporalio/client');
  const { default: Redis } = require('ioredis');
  const { createDatabase, createMetricsRegistry } = require('@gyroscops/platform');
  const { ProjectionPositionTracker } = require('@gyroscops/projections');
  const database = createDatabase({ url: UNUSED_POSTGRES_URL, maxConnections: 1 });
  const redis = new Redis({ lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined);
  const temporalConnection = Connection.lazy({ address: '127.0.0.1:7233' });
  return {
    shared: {
      temporal: new Client({ connection: temporalConnection, namespace: 'default' }),
      eventStore: database,
      log: { level: 'silent', pretty: false },
      auth: { kind: 'secret', secret: UNUSED_SECRET },
      redis,
    },
    database,
    redis,
    createMetricsRegistry,
    tracker: new ProjectionPositionTracker(database, redis, 'openapi:'),
    async close() {
      redis.disconnect();
      await temporalConnection.close();
      await database.destroy();
    },
  };
}

/** The OpenAPI document of one app builder: ready, read, closed. */
async function documentOf(build) {
  const app = await build();
  try {
    await app.ready();
    return app.swagger();
  } finally {
    await app.close();
  }
}

/** Both APIs' documents, as their apps generate them. */
async function generateDocuments() {
  const { buildCommandApi } = require('@gyroscops/command-api');
  const { buildQueryApi, DEFAULT_CACHE_SETTINGS } = require('@gyroscops/query-api');
  const deps = lazyDependencies();
  try {
    const command = await documentOf(() =>
      buildCommandApi({
        ...deps.shared,
        idempotencyDb: deps.database,
        metrics: deps.createMetricsRegistry('command-api'),
        resultTimeoutMs: 25_000,
        idempotencyTtlMs: 48 * 3_600_000,
      }),
    );
    const query = await documentOf(() =>
      buildQueryApi({
        ...deps.shared,
        readDb: deps.database,
        tracker: deps.tracker,
        metrics: deps.createMetricsRegistry('query-api'),
        consistency: { defaultWaitMs: 2_000, maxWaitMs: 10_000 },
        cache: { keyPrefix: 'openapi:', ...DEFAULT_CACHE_SETTINGS },
      }),
    );
    return { 'command-api': command, 'query-api': query };
  } finally {
    await deps.close();
  }
}

/** A copy with every object's keys in sorted order (arrays keep theirs): a stable, diffable file. */
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(value[key])]),
  );
}

/** The generated types of one document, as `openapi-typescript <file> -o <out>` writes them. */
async function typesOf(document) {
  const { default: openapiTS, astToString, COMMENT_HEADER } = await import('openapi-typescript');
  const ast = await openapiTS(document, { silent: true });
  return `${COMMENT_HEADER}${astToString(ast)}`;
}

/** Every file `npm run openapi` owns, with the content the services generate now. */
async function expectedFiles() {
  const documents = await generateDocuments();
  const files = [];
  for (const [name, document] of Object.entries(documents)) {
    const sorted = sortKeys(document);
    files.push({
      path: join(CLIENT_PACKAGE, 'openapi', `${name}.json`),
      content: `${JSON.stringify(sorted, null, 2)}\n`,
    });
    files.push({ path: join(CLIENT_PACKAGE, 'src', 'generated', `${name}.ts`), content: await typesOf(sorted) });
  }
  return files;
}

/** Where two texts first differ, for a message a person can act on. */
function firstDifference(actual, expected) {
  const actualLines = actual.split('\n');
  const expectedLines = expected.split('\n');
  const index = expectedLines.findIndex((line, i) => line !== actualLines[i]);
  const at = index === -1 ? expectedLines.length : index;
  return `line ${at + 1}: committed ${JSON.stringify(actualLines[at] ?? '<end of file>')}, generated ${JSON.stringify(expectedLines[at] ?? '<end of file>')}`;
}

async function main() {
  const check = process.argv.includes('--check');
  const files = await expectedFiles();
  if (check) {
    const stale = [];
    for (const file of files) {
      const committed = await readFile(file.path, 'utf8').catch(() => undefined);
      if (committed === undefined) stale.push(`${relative(ROOT, file.path)} is missing`);
      else if (committed !== file.content)
        stale.push(`${relative(ROOT, file.path)} differs (${firstDifference(committed, file.content)})`);
    }
    if (stale.length > 0) {
      console.error(
        `The committed OpenAPI documents or generated client types are out of date:\n  ${stale.join('\n  ')}\nRun \`npm run openapi\` and commit the result.`,
      );
      process.exitCode = 1;
    } else console.log(`${files.length} files match what the services generate.`);
    return;
  }
  for (const file of files) {
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, file.content);
    console.log(`wrote ${relative(ROOT, file.path)}`);
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
