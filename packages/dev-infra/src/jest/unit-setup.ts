/**
 * Runs before every unit test file (the `unit` project of jest.config.js). Unit tests do no I/O, so
 * every address through which one could reach Postgres, Redis or Temporal points at a closed port:
 * a unit test that connects fails at once, on every machine, instead of passing wherever the
 * services happen to run. The services' own defaults (127.0.0.1:5432, :6379, :7233) are overridden too.
 */
import { TEST_ENV } from './test-run-env';

const CLOSED_PORT = 1;
const NOWHERE = {
  postgres: `postgres://postgres@127.0.0.1:${CLOSED_PORT}/unit-tests-reach-no-database`,
  redis: `redis://127.0.0.1:${CLOSED_PORT}`,
  temporal: `127.0.0.1:${CLOSED_PORT}`,
};

const UNREACHABLE: Record<string, string> = {
  // What the services read.
  DATABASE_URL: NOWHERE.postgres,
  EVENT_STORE_DATABASE_URL: NOWHERE.postgres,
  READ_DATABASE_URL: NOWHERE.postgres,
  REDIS_URL: NOWHERE.redis,
  TEMPORAL_ADDRESS: NOWHERE.temporal,
  // What the integration tiers' global setup reads and hands to test files.
  TEST_DATABASE_URL: NOWHERE.postgres,
  TEST_REDIS_URL: NOWHERE.redis,
  [TEST_ENV.postgresUrl]: NOWHERE.postgres,
  [TEST_ENV.redisUrl]: NOWHERE.redis,
  [TEST_ENV.temporalAddress]: NOWHERE.temporal,
};

Object.assign(process.env, UNREACHABLE);
