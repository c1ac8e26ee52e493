import { join, resolve } from 'node:path';
import { concurrently } from 'concurrently';
import { startTemporalDevServer, type TemporalDevServer } from '@gyroscops/dev-infra';
import { DEV_JWT_SECRET, loadConfig, readPostgresConfig } from '@gyroscops/platform';
import { migrateAll } from '../database-migrations';
import { developmentToken } from './token.command';

const ROOT = resolve(__dirname, '../../../..');
const SERVICES = [
  { name: 'command-api', color: 'blue' },
  { name: 'command-worker', color: 'cyan' },
  { name: 'projection-worker', color: 'magenta' },
  { name: 'query-api', color: 'green' },
  { name: 'query-worker', color: 'yellow' },
] as const;

/**
 * Rebuilds every workspace a saved source changes, and those depending on it. turbo watch stops on a
 * package.json it cannot parse (one caught mid-save): it is started again rather than taking the
 * stack down with it.
 */
const REBUILD_ON_CHANGE =
  "while :; do npx turbo watch build --output-logs=errors-only; echo 'turbo watch stopped: starting it again in 2 s'; sleep 2; done";

/**
 * `npm start`: the whole system on one machine. Starts the Temporal dev server (data in .data/, so
 * workflows survive a restart) unless TEMPORAL_ADDRESS points at a cluster, creates and migrates the
 * databases, then runs the five services with prefixed logs. Ctrl-C stops everything.
 *
 * `--watch` (`npm run dev`): `turbo watch build` runs beside the services and rebuilds what a saved
 * source changes, and each service runs under a supervisor (dev/supervise-service.ts) that restarts
 * it once a rebuild of its code, or of a package it depends on, has been written.
 */
export async function devCommand(args: readonly string[] = process.argv.slice(3)): Promise<void> {
  const watch = args.includes('--watch');
  const env = { ...process.env };
  // Development only: without JWT_SECRET (or JWT_JWKS_URL) the services use the public dev secret.
  if (!env.JWT_SECRET && !env.JWT_JWKS_URL) env.JWT_SECRET = DEV_JWT_SECRET;
  let temporal: TemporalDevServer | undefined;
  let uiUrl = 'the Temporal UI of your cluster';
  if (!env.TEMPORAL_ADDRESS) {
    temporal = await startTemporalDevServer({
      port: Number(env.TEMPORAL_DEV_PORT ?? 7233),
      uiPort: Number(env.TEMPORAL_UI_PORT ?? 8233),
      dbFile: join(ROOT, '.data', 'temporal', 'temporal.sqlite'),
      logLevel: 'warn',
      // The dev server's internal services log a dial error for every peer while starting and stopping: noise.
      onOutput: (line) => {
        if (!line.includes('msg="network dial error"')) console.log(`[temporal] ${line}`);
      },
    });
    env.TEMPORAL_ADDRESS = temporal.address;
    uiUrl = temporal.uiUrl ?? 'disabled';
  }
  const { postgres } = loadConfig((reader) => ({ postgres: readPostgresConfig(reader) }), env);
  await migrateAll(postgres, (line) => console.log(`[migrate] ${line}`));

  const entry = (service: string) =>
    watch
      ? `${JSON.stringify(join(__dirname, '..', 'dev', 'supervise-service.js'))} ${service}`
      : JSON.stringify(join(ROOT, 'apps', service, 'dist', 'main.js'));
  const { result } = concurrently(
    [
      ...SERVICES.map((service) => ({
        name: service.name,
        prefixColor: service.color,
        command: `node ${entry(service.name)}`,
        env: { ...env, MIGRATE_ON_START: 'false', LOG_PRETTY: env.LOG_PRETTY ?? 'true' },
      })),
      ...(watch
        ? [
            {
              name: 'build',
              prefixColor: 'gray',
              command: REBUILD_ON_CHANGE,
              cwd: ROOT,
              env: { ...env, TURBO_TELEMETRY_DISABLED: '1' },
            },
          ]
        : []),
    ],
    { prefix: 'name', killOthersOn: ['failure'], handleInput: false },
  );
  const commandPort = env.COMMAND_API_PORT ?? '3000';
  const queryPort = env.QUERY_API_PORT ?? '3001';
  console.log(
    [
      '',
      'Gyroscops billing is starting:',
      `  command-api   http://127.0.0.1:${commandPort}   (Swagger UI: http://127.0.0.1:${commandPort}/docs)`,
      `  query-api     http://127.0.0.1:${queryPort}   (Swagger UI: http://127.0.0.1:${queryPort}/docs)`,
      `  Temporal      ${env.TEMPORAL_ADDRESS}   (UI: ${uiUrl})`,
      ...(env.JWT_SECRET
        ? [
            '  Development token (organization org-demo, admin role, 12 h; more with `npm run token -- --org <id>`):',
            `    Authorization: Bearer ${developmentToken({ organizations: ['org-demo'], admin: true, subject: 'dev-user', ttlSeconds: 12 * 3600 }, env.JWT_SECRET)}`,
          ]
        : ["  Bearer tokens come from JWT_JWKS_URL's identity provider."]),
      ...(watch ? ['  A saved change is rebuilt and restarts the services that run it.'] : []),
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  try {
    await result;
  } catch {
    // A service failed or was stopped: concurrently has already stopped the others.
  } finally {
    await temporal?.stop();
  }
}
