/**
 * The built projection worker, started as a process with a configuration it cannot run with: it must
 * say so and exit non-zero (an orchestrator restarts it or reports it), not keep running half started.
 * Once with a configuration error (nothing connected yet), once with a Temporal namespace that does
 * not exist (the databases, Redis, the Temporal runtime and its connections are all up by then).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';

const MAIN = join(__dirname, '../dist/main.js');

let env: TestEnvironment;

beforeAll(async () => {
  env = await createTestEnvironment();
});

afterAll(async () => {
  await env?.dispose();
});

/** Runs the built main until it exits; kills it (and fails) if it is still running after `timeoutMs`. */
function runMain(
  overrides: Record<string, string>,
  timeoutMs = 45_000,
): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        EVENT_STORE_DATABASE_URL: env.eventStoreDatabaseUrl,
        READ_DATABASE_URL: env.readDatabaseUrl,
        REDIS_URL: env.redisUrl,
        REDIS_KEY_PREFIX: env.redisPrefix,
        TEMPORAL_ADDRESS: env.temporalAddress,
        TEMPORAL_NAMESPACE: env.namespace,
        PROJECTION_WORKER_HEALTH_PORT: '0',
        LOG_LEVEL: 'error',
        ...overrides,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the projection worker still runs ${timeoutMs} ms after a failed start:\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

it('exits 1 on an invalid configuration', async () => {
  const run = await runMain({ PROJECTION_BATCH_SIZE: '0' });
  expect(run).toMatchObject({ code: 1, signal: null });
  expect(run.stderr).toContain('[projection-worker] failed to start');
  expect(run.stderr).toContain('PROJECTION_BATCH_SIZE');
});

it('exits 1 when it cannot start its workers once connected (an unknown Temporal namespace)', async () => {
  const run = await runMain({ TEMPORAL_NAMESPACE: `missing-${env.uniqueId}` });
  expect(run).toMatchObject({ code: 1, signal: null });
  expect(run.stderr).toContain('[projection-worker] failed to start');
  expect(run.stderr).toContain(`missing-${env.uniqueId}`);
});
