/**
 * The monorepo's tests, in two Jest projects by the kind their file name says:
 *
 * - `unit`: *.unit.spec.ts, no I/O. No global setup: nothing is started, and every Postgres, Redis
 *   and Temporal address a test could pick up points at a closed port (jest/unit-setup.ts), so a
 *   unit test that reaches a service fails. `npm run test:unit`, or `jest --selectProjects unit`.
 * - `services`: *.int.spec.ts (real Postgres, Redis, Temporal) and *.e2e.spec.ts (real HTTP). The
 *   global setup starts one Temporal dev server for the run (only when a test of this project is
 *   selected); each test file then gets databases, a Redis prefix and a Temporal namespace of its own.
 *
 * `npx jest <path>` runs whichever files match, and starts Temporal only for int and e2e files.
 * Fault-injection tests start and kill their own processes: their own config (npm run test:faults).
 */
const swc = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
];

/** How every project (and tests/faults/jest.config.js) loads code: TypeScript through swc, workspaces from their sources. */
const transform = { '^.+\\.(t|j)sx?$': swc };
const moduleNameMapper = {
  '^@gyroscops/(command-api|command-worker|projection-worker|query-api|query-worker|cli)$': '<rootDir>/apps/$1/src',
  '^@gyroscops/([a-z-]+)$': '<rootDir>/packages/$1/src',
  '^@gyroscops/([a-z-]+)/([a-z-]+)$': '<rootDir>/packages/$1/src/$2',
};
const modulePathIgnorePatterns = ['<rootDir>/.*/dist/'];

const project = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/apps', '<rootDir>/tests', '<rootDir>/bench'],
  transform,
  moduleNameMapper,
  modulePathIgnorePatterns,
  testTimeout: 60_000,
};

/** @type {import('jest').Config} */
module.exports = {
  transform,
  moduleNameMapper,
  modulePathIgnorePatterns,
  projects: [
    {
      ...project,
      displayName: 'unit',
      testMatch: ['**/src/**/*.unit.spec.ts'],
      setupFiles: ['<rootDir>/packages/dev-infra/src/jest/unit-setup.ts'],
    },
    {
      ...project,
      displayName: 'services',
      // Every other spec (a file that names no tier counts as needing the services).
      testMatch: ['**/src/**/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.unit\\.spec\\.ts$', '\\.fault\\.spec\\.ts$'],
      globalSetup: '<rootDir>/packages/dev-infra/src/jest/global-setup.ts',
      globalTeardown: '<rootDir>/packages/dev-infra/src/jest/global-teardown.ts',
    },
  ],
  testTimeout: 60_000,
  maxWorkers: 2,
};
