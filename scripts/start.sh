#!/usr/bin/env bash
# npm start: install (when needed), build, then bring up the whole system on local defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
if ! node scripts/installed-matches-lockfile.mjs; then
  npm ci --no-audit --no-fund
fi
npx turbo run build --output-logs=errors-only
# A local .env (copied from .env.example) fills in what the environment does not set.
env_file=()
if [ -f .env ]; then env_file=(--env-file=.env); fi
exec node "${env_file[@]}" apps/cli/dist/main.js dev
