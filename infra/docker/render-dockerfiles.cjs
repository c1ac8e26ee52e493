#!/usr/bin/env node
// Writes apps/<app>/Dockerfile for every deployable app from infra/docker/Dockerfile.template, so
// the six images share one recipe and differ only where they must (the app's name, its port, its
// health check and its command). `--check` writes nothing and exits 1 when a file is stale; the
// deployment tests run it.
'use strict';

const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');

/** What differs between images. Ports are the apps' config defaults (apps/<app>/src/config.ts). */
const APPS = {
  'command-api': {
    header: 'command-api: the command HTTP API (REST, /health/*, /metrics).',
    portVariable: 'COMMAND_API_PORT',
    port: 3000,
  },
  'query-api': {
    header: 'query-api: the query HTTP API (REST, /health/*, /metrics).',
    portVariable: 'QUERY_API_PORT',
    port: 3001,
  },
  'command-worker': {
    header: 'command-worker: Temporal worker of the command workflows (serves /health/*, /metrics).',
    portVariable: 'COMMAND_WORKER_HEALTH_PORT',
    port: 3010,
  },
  'projection-worker': {
    header: 'projection-worker: Temporal worker of the projections (serves /health/*, /metrics).',
    portVariable: 'PROJECTION_WORKER_HEALTH_PORT',
    port: 3011,
  },
  'query-worker': {
    header: 'query-worker: Temporal worker of the query workflows (serves /health/*, /metrics).',
    portVariable: 'QUERY_WORKER_HEALTH_PORT',
    port: 3012,
  },
  cli: {
    header: 'cli (migrate): one-shot; creates both databases when missing and runs every migration.',
    command: ['node', 'dist/main.js', 'migrate'],
  },
};

/** The end of the runtime stage: a long-running service's port and health check, or a job's command. */
function runtimeTail(app, spec) {
  if (!spec.port) {
    return [
      '# A one-shot job: no server, nothing to probe. Run it once per release, before the services',
      '# (compose: the `migrate` service; Kubernetes: infra/kubernetes/migrate-job.yaml).',
      'HEALTHCHECK NONE',
      `CMD [${spec.command.map((part) => JSON.stringify(part)).join(', ')}]`,
    ].join('\n');
  }
  return [
    `# ${spec.portVariable} (default ${spec.port}) moves it; healthcheck.cjs reads the same variable.`,
    `EXPOSE ${spec.port}`,
    '# Slim images have no curl or wget: node itself GETs /health/live (see healthcheck.cjs). Liveness,',
    '# not readiness: "unhealthy" should mean the process is stuck, not that Postgres is briefly away.',
    '# Orchestrators with readiness probes (Kubernetes) point those at /health/ready.',
    'HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \\',
    '    CMD ["node", "/usr/local/lib/gyroscops/healthcheck.cjs"]',
    '# node is PID 1: the services trap SIGTERM themselves (graceful HTTP close, Temporal worker',
    '# drain); run with `--init` (compose: `init: true`) to also reap zombies and forward signals.',
    'CMD ["node", "dist/main.js"]',
  ].join('\n');
}

function renderDockerfile(app) {
  const spec = APPS[app];
  if (!spec) throw new Error(`unknown app ${app}`);
  const template = readFileSync(join(__dirname, 'Dockerfile.template'), 'utf8');
  return template
    .replaceAll('{{HEADER}}', spec.header)
    .replaceAll('{{APP}}', app)
    .replace('{{RUNTIME}}', runtimeTail(app, spec));
}

const dockerfilePath = (app) => join(root, 'apps', app, 'Dockerfile');

function main() {
  const check = process.argv.includes('--check');
  const stale = [];
  for (const app of Object.keys(APPS)) {
    const expected = renderDockerfile(app);
    let actual = null;
    try {
      actual = readFileSync(dockerfilePath(app), 'utf8');
    } catch {
      // missing: stale
    }
    if (actual === expected) continue;
    if (check) stale.push(`apps/${app}/Dockerfile`);
    else writeFileSync(dockerfilePath(app), expected);
  }
  if (stale.length > 0) {
    console.error(`stale, run \`node infra/docker/render-dockerfiles.cjs\`: ${stale.join(', ')}`);
    process.exit(1);
  }
}

module.exports = { APPS, renderDockerfile };
if (require.main === module) main();
