#!/usr/bin/env bash
# npm run dev: npm start's stack, kept up to date while you edit. After one build, `turbo watch build`
# rebuilds a workspace (and the workspaces that depend on it) when its sources change, and each service
# is restarted once a rebuild of the code it runs has been written (apps/cli/src/dev/supervise-service.ts).
# A local .env (see .env.example) is read as npm start reads it.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
if ! node scripts/installed-matches-lockfile.mjs; then
  npm ci --no-audit --no-fund
fi
npx turbo run build --output-logs=errors-only
env_file=()
if [ -f .env ]; then env_file=(--env-file=.env); fi
exec node "${env_file[@]}" apps/cli/dist/main.js dev --watch
