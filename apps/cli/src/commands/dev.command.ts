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
 * `npm start`: the whole system on one machine. Starts the Temporal dev server (data in .data/, so
 * workflows survive a restart) unless TEMPORAL_ADDRESS points at a cluster, creates and migrates the
 * databases, then runs the five services with prefixed logs. Ctrl-C stops everything.
 */
export async function devCommand(): Promise<void> {
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

  const { result } = concurrently(
    SERVICES.map((service) => ({
      name: service.name,
      prefixColor: service.color,
      command: `node ${JSON.stringify(join(ROOT, 'apps', service.name, 'dist', 'main.js'))}`,
      env: { ...env, MIGRATE_ON_START: 'false', LOG_PRETTY: env.LOG_PRETTY ?? 'true' },
    })),
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
        : ['  Bearer tokens come from JWT_JWKS_URL\'s identity provider.']),
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
