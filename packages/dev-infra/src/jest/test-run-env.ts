/** Environment variables the global setup hands to every test file of the run. */
export const TEST_ENV = {
  temporalAddress: 'GYRO_TEST_TEMPORAL_ADDRESS',
  runId: 'GYRO_TEST_RUN_ID',
  postgresUrl: 'GYRO_TEST_POSTGRES_URL',
  redisUrl: 'GYRO_TEST_REDIS_URL',
  namespaces: 'GYRO_TEST_NAMESPACES',
} as const;

/** One Temporal namespace per Jest worker: files in one worker run one after another. */
export const TEST_NAMESPACE_COUNT = 8;
export const testNamespaceName = (workerId: number) => `test-${workerId}`;
