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
if [ "$#" -gt 0 ]; then
  exec npx jest --ci "$@"
fi
# The benchmark's smoke run starts its own Temporal server and five service processes: it runs on its
# own, after the main suite, so it does not compete with the other test files for the two cores.
npx jest --ci --testPathIgnorePatterns '/node_modules/' '/apps/cli/src/bench/'
npx jest --ci apps/cli/src/bench
