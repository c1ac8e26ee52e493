import { randomBytes } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { dropDatabase, ensureDatabase, withDatabaseName } from '@gyroscops/platform';
import { TEST_ENV, testNamespaceName } from '../jest/test-run-env';

export const testDatabasePrefix = (runId: string) => `gyro_test_${runId}_`;

/** What one test file gets: databases, a Redis prefix and a Temporal namespace no other file uses at the same time. */
export interface TestEnvironment {
  temporalAddress: string;
  namespace: string;
  eventStoreDatabaseUrl: string;
  readDatabaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  /** Unique per test file: use it for ids that must not collide across files (task queues, workflow ids). */
  uniqueId: string;
  dispose(): Promise<void>;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through the root jest config (npm test)`);
  return value;
}

/**
 * Makes separate event-store and read databases (the platform must never assume they are one),
 * and picks this Jest worker's namespace. `dispose` terminates the namespace's open workflows
 * and drops the databases.
 */
export async function createTestEnvironment(): Promise<TestEnvironment> {
  const runId = required(TEST_ENV.runId);
  const postgresUrl = required(TEST_ENV.postgresUrl);
  const uniqueId = randomBytes(4).toString('hex');
  const eventStoreDatabaseUrl = withDatabaseName(postgresUrl, `${testDatabasePrefix(runId)}${uniqueId}_es`);
  const readDatabaseUrl = withDatabaseName(postgresUrl, `${testDatabasePrefix(runId)}${uniqueId}_read`);
  await Promise.all([ensureDatabase(eventStoreDatabaseUrl), ensureDatabase(readDatabaseUrl)]);
  const temporalAddress = required(TEST_ENV.temporalAddress);
  const namespace = testNamespaceName(Number(process.env.JEST_WORKER_ID ?? '1'));
  return {
    temporalAddress,
    namespace,
    eventStoreDatabaseUrl,
    readDatabaseUrl,
    redisUrl: required(TEST_ENV.redisUrl),
    redisPrefix: `gyro-test:${runId}:${uniqueId}:`,
    uniqueId,
    async dispose() {
      await terminateOpenWorkflows(temporalAddress, namespace);
      await Promise.all([dropDatabase(eventStoreDatabaseUrl), dropDatabase(readDatabaseUrl)]);
    },
  };
}

/** Leaves the namespace clean for the next file of this Jest worker. */
export async function terminateOpenWorkflows(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const { workflowService } = connection;
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await workflowService.listOpenWorkflowExecutions({
        namespace,
        maximumPageSize: 1000,
        nextPageToken,
      });
      for (const execution of page.executions ?? []) {
        await workflowService
          .terminateWorkflowExecution({
            namespace,
            workflowExecution: execution.execution,
            reason: 'test file finished',
          })
          .catch(() => undefined);
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
  } finally {
    await connection.close();
  }
}
