#!/usr/bin/env bash
# npm test: every check there is. Build (workers load pre-bundled workflows), typecheck, lint, then
# the unit tests (no services), one Jest run over the integration and end-to-end tests against real
# Postgres, Redis and Temporal, the benchmark's smoke run and the fault-injection suite.
# Extra arguments go to Jest (npm test -- packages/domain).
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
# Installed when node_modules holds what package-lock.json says: the same check as npm start and npm run dev.
if ! node scripts/installed-matches-lockfile.mjs; then
  npm ci --no-audit --no-fund
fi
npx turbo run build typecheck --output-logs=errors-only
npx eslint --max-warnings=0 .
# One format for every file (.prettierrc.json, width 120): npm run format writes it.
npx prettier --check --log-level warn .
# Every workspace declares what it imports, and nothing it does not use (knip.config.ts).
npm run -s check:deps
# The OpenAPI documents break only with a major version of @gyroscops/api-client (oasdiff against the released ones).
npm run -s check:api
if [ "$#" -gt 0 ]; then
  exec npx jest --ci "$@"
fi
# Every run goes ahead when one fails, so the closing line counts them all; the exit status says whether any failed.
mkdir -p .test-results
rm -f .test-results/*.json
status=0
# Unit tests alone (npm run test:unit): no global setup, so no Temporal, and every Postgres, Redis and
# Temporal address points at a closed port (packages/dev-infra/src/jest/unit-setup.ts).
npx jest --ci --selectProjects unit --json --outputFile=.test-results/unit.json || status=1
# Integration and end-to-end tests share one run and its one Temporal dev server.
npx jest --ci --selectProjects services --json --outputFile=.test-results/services.json \
  --testPathIgnorePatterns '/node_modules/' '/bench/src/' '\.unit\.spec\.ts$' '\.fault\.spec\.ts$' || status=1
# The benchmark's smoke run starts its own Temporal server and five service processes: it runs on its
# own, after the main suite, so it does not compete with the other test files for the two cores.
npx jest --ci --selectProjects services --json --outputFile=.test-results/bench-smoke.json bench/src || status=1
# Fault injection (npm run test:faults on its own): each file starts, kills and restarts real service
# processes, one file at a time; about 3 minutes on an idle 2-core machine.
npx jest --ci -c tests/faults/jest.config.js --json --outputFile=.test-results/faults.json || status=1
# One closing line over the four runs, in the plain form CI tools read (a run that wrote no results counts as failed).
node -e '
  const { existsSync } = require("node:fs");
  const names = ["unit", "services", "bench-smoke", "faults"];
  const missing = names.filter((name) => !existsSync(`./.test-results/${name}.json`));
  const runs = names.filter((name) => !missing.includes(name)).map((name) => require(`./.test-results/${name}.json`));
  const sum = (key) => runs.reduce((total, run) => total + run[key], 0);
  const notes = [
    ...(sum("numRuntimeErrorTestSuites") > 0 ? [`${sum("numRuntimeErrorTestSuites")} test files failed to run`] : []),
    ...(missing.length > 0 ? [`no results from: ${missing.join(", ")}`] : []),
  ];
  console.log(`tests: ${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed${notes.length ? ` (${notes.join("; ")})` : ""}`);
'
exit "$status"
