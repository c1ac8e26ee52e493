import { benchCommand } from './commands/bench.command';
import { benchRebuildCommand } from './commands/bench-rebuild.command';
import { devCommand } from './commands/dev.command';
import { migrateCommand } from './commands/migrate.command';
import { projectionsCommand } from './commands/projections.command';
import { tokenCommand } from './commands/token.command';

const COMMANDS: Record<string, { run: (args: string[]) => Promise<void>; help: string }> = {
  bench: { run: benchCommand, help: '[--smoke] [--events N] [--rounds N] [--duration S] [--only a,b]: every benchmark against its baseline; writes bench/results/' },
  'bench-rebuild': { run: benchRebuildCommand, help: '[events] [batch]: seed scratch databases and time a rebuild of each read model' },
  dev: { run: devCommand, help: 'start Temporal (unless TEMPORAL_ADDRESS is set), migrate, and run all five services' },
  migrate: { run: migrateCommand, help: 'create the databases when missing and run every migration' },
  token: { run: tokenCommand, help: '--org <id> [--org <id2>] [--admin] [--sub <user>] [--ttl 3600]: mint an HS256 bearer token with JWT_SECRET (or the dev-only default)' },
  projections: { run: projectionsCommand, help: 'status | rebuild <name> (with a progress bar) | resume <name> | retry <name>' },
};

async function main(): Promise<void> {
  const name = process.argv[2];
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    console.log(`usage: gyroscops <command>\n${Object.entries(COMMANDS).map(([key, value]) => `  ${key.padEnd(10)} ${value.help}`).join('\n')}`);
    process.exitCode = name ? 2 : 0;
    return;
  }
  await command.run(process.argv.slice(3));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
