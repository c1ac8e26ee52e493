#!/usr/bin/env bash
# npm test: every check there is. Build (workers load pre-bundled workflows), typecheck, lint, then
# one Jest run over unit, integration and end-to-end tests against real Postgres, Redis and Temporal.
# Extra arguments go to Jest (npm test -- packages/domain).
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
if [ ! -f node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npx turbo run build typecheck --output-logs=errors-only
npx eslint --max-warnings=0 .
# Every workspace declares what it imports, and nothing it does not use (knip.config.ts).
npm run -s check:deps
if [ "$#" -gt 0 ]; then
  exec npx jest --ci "$@"
fi
# The benchmark's smoke run starts its own Temporal server and five service processes: it runs on its
# own, after the main suite, so it does not compete with the other test files for the two cores.
mkdir -p .test-results
npx jest --ci --json --outputFile=.test-results/main.json --testPathIgnorePatterns '/node_modules/' '/bench/src/' '\.fault\.spec\.ts$'
npx jest --ci --json --outputFile=.test-results/bench-smoke.json bench/src
# Fault injection (npm run test:faults on its own): each file starts, kills and restarts real service
# processes, one file at a time; about 3 minutes on an idle 2-core machine.
npx jest --ci -c tests/faults/jest.config.js --json --outputFile=.test-results/faults.json
# One closing line over the three runs, in the plain form CI tools read.
node -e '
  const runs = ["main", "bench-smoke", "faults"].map((name) => require(`./.test-results/${name}.json`));
  const sum = (key) => runs.reduce((total, run) => total + run[key], 0);
  console.log(`tests: ${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed`);
'
