/**
 * `npm run test:faults`: fault-injection tests that start the BUILT services as child processes and
 * break them for real (kill -9, restarts, Redis and Postgres outages). One file at a time: each
 * starts its own Temporal dev server, databases and services. Reuses the root config's swc transform
 * and module mapping; no global setup (every file brings up what it breaks).
 */
const root = require('../../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/faults'],
  testMatch: ['**/src/**/*.fault.spec.ts'],
  transform: root.transform,
  moduleNameMapper: root.moduleNameMapper,
  modulePathIgnorePatterns: root.modulePathIgnorePatterns,
  testTimeout: 300_000,
  maxWorkers: 1,
};
