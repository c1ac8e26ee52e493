/**
 * `gyroscops <command>`: the migration (what the cli image runs), `npm start`'s orchestration, and
 * the operators' tools. Each command's module is loaded only when it runs, so `migrate` in the
 * production image loads the migrations and nothing of the development tooling.
 */
const COMMANDS: Record<string, { run: (args: string[]) => Promise<void>; help: string }> = {
  dev: {
    run: async () => (await import('./commands/dev.command.js')).devCommand(),
    help: 'start Temporal (unless TEMPORAL_ADDRESS is set), migrate, and run all five services',
  },
  migrate: {
    run: async () => (await import('./commands/migrate.command.js')).migrateCommand(),
    help: 'create the databases when missing and run every migration',
  },
  token: {
    run: async (args) => (await import('./commands/token.command.js')).tokenCommand(args),
    help: '--org <id> [--org <id2>] [--admin] [--sub <user>] [--ttl 3600]: mint an HS256 bearer token with JWT_SECRET (or the dev-only default)',
  },
  projections: {
    run: async (args) => (await import('./commands/projections.command.js')).projectionsCommand(args),
    help: 'status | rebuild <name> (with a progress bar) | resume <name> | retry <name>',
  },
  'repair-stream-ids': {
    run: async (args) => (await import('./commands/repair-stream-ids.command.js')).repairStreamIdsCommand(args),
    help: '[--apply] [--quiet-for <seconds>]: rename or re-key streams whose ids spell a UUID non-canonically (dry run without --apply)',
  },
};

async function main(): Promise<void> {
  const name = process.argv[2];
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    console.log(
      `usage: gyroscops <command>\n${Object.entries(COMMANDS)
        .map(([key, value]) => `  ${key.padEnd(12)} ${value.help}`)
        .join('\n')}`,
    );
    process.exitCode = name ? 2 : 0;
    return;
  }
  const args = process.argv.slice(3);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(`gyroscops ${name}: ${command.help}`);
    return;
  }
  await command.run(args);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
