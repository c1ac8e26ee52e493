import { randomBytes } from 'node:crypto';
import { startTemporalDevServer, type TemporalDevServer } from '../temporal-dev-server';
import { TEST_ENV, TEST_NAMESPACE_COUNT, testNamespaceName } from './test-run-env';

declare global {
  var __gyroTemporalServer: TemporalDevServer | undefined;
}

/**
 * Starts one Temporal dev server for the whole run (in memory, headless, on free ports) unless
 * GYRO_TEST_TEMPORAL_ADDRESS points at one already. Postgres and Redis are the machine's own; every
 * test file makes databases and a Redis prefix of its own, so a run never touches a developer's stack.
 */
export default async function globalSetup(): Promise<void> {
  process.env[TEST_ENV.runId] ??= `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  process.env[TEST_ENV.postgresUrl] ??= process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  process.env[TEST_ENV.redisUrl] ??= process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const namespaces = Array.from({ length: TEST_NAMESPACE_COUNT }, (_, index) => testNamespaceName(index + 1));
  process.env[TEST_ENV.namespaces] = namespaces.join(',');
  if (process.env[TEST_ENV.temporalAddress]) return;
  const server = await startTemporalDevServer({ headless: true, namespaces, logLevel: 'error' });
  globalThis.__gyroTemporalServer = server;
  process.env[TEST_ENV.temporalAddress] = server.address;
}
