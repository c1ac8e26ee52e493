import { dropDatabasesWithPrefix } from '@gyroscops/platform';
import { TEST_ENV } from './test-run-env';
import { testDatabasePrefix } from '../testing/test-environment';

/** Stops the run's Temporal dev server and drops any database a test file left behind. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__gyroTemporalServer?.stop();
  const postgresUrl = process.env[TEST_ENV.postgresUrl];
  const runId = process.env[TEST_ENV.runId];
  if (postgresUrl && runId) await dropDatabasesWithPrefix(postgresUrl, testDatabasePrefix(runId));
}
