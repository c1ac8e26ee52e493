import { benchRebuildCommand } from './bench-rebuild.command';
import { benchCommand } from './bench.command';

const COMMANDS: Record<string, { run: (args: string[]) => Promise<void>; help: string }> = {
  run: {
    run: benchCommand,
    help: '[--smoke] [--events N] [--rounds N] [--duration S] [--only a,b] [--command-workers N] [--command-apis N]: every benchmark against its baseline; writes bench/results/',
  },
  rebuild: {
    run: benchRebuildCommand,
    help: '[events] [batch]: seed scratch databases and time a rebuild of each read model',
  },
};

/** `npm run bench` (`run`) and `npm run bench:rebuild` (`rebuild`): the benchmark, apart from every shipped app. */
async function main(): Promise<void> {
  const name = process.argv[2];
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    console.log(
      `usage: node bench/dist/main.js <command>\n${Object.entries(COMMANDS)
        .map(([key, value]) => `  ${key.padEnd(8)} ${value.help}`)
        .join('\n')}`,
    );
    process.exitCode = name ? 2 : 0;
    return;
  }
  await command.run(process.argv.slice(3));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
