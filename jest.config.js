/**
 * One Jest run for the whole monorepo. Tests say their kind in their name:
 * *.unit.spec.ts (no I/O), *.int.spec.ts (real Postgres, Redis, Temporal), *.e2e.spec.ts (real HTTP).
 * The global setup starts one Temporal dev server and makes template databases for the run;
 * each test file then gets databases, a Redis prefix and a Temporal namespace of its own.
 */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/apps', '<rootDir>/tests', '<rootDir>/bench'],
  testMatch: ['**/src/**/*.spec.ts'],
  transform: { '^.+\\.(t|j)sx?$': swc },
  moduleNameMapper: {
    '^@gyroscops/(command-api|command-worker|projection-worker|query-api|query-worker|cli)$': '<rootDir>/apps/$1/src',
    '^@gyroscops/([a-z-]+)$': '<rootDir>/packages/$1/src',
    '^@gyroscops/([a-z-]+)/([a-z-]+)$': '<rootDir>/packages/$1/src/$2',
  },
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
  // Fault-injection tests start and kill their own processes: their own run (npm run test:faults).
  testPathIgnorePatterns: ['/node_modules/', '\\.fault\\.spec\\.ts$'],
  globalSetup: '<rootDir>/packages/dev-infra/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/packages/dev-infra/src/jest/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
