import { join } from 'node:path';
import { writeReport } from './report';
import { runBench } from './run-bench';
import { ROOT } from './stack';

/**
 * `npm run bench -- [--smoke] [--events N] [--rounds N] [--duration S] [--only name,...]
 * [--command-workers N] [--command-apis N]`: starts
 * Temporal, scratch databases and the services, runs every scenario against its baseline, writes
 * bench/results/<timestamp>.{json,md} and latest.md, and prints the table.
 */
export async function benchCommand(args: string[]): Promise<void> {
  const value = (flag: string) => {
    const index = args.indexOf(flag);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const number = (flag: string) => {
    const text = value(flag);
    if (text === undefined) return undefined;
    const parsed = Number(text);
    if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${flag} needs a positive number, got ${text}`);
    return parsed;
  };
  const report = await runBench({
    smoke: args.includes('--smoke'),
    events: number('--events'),
    rounds: number('--rounds'),
    durationSec: number('--duration'),
    only: value('--only')?.split(','),
    commandWorkers: number('--command-workers'),
    commandApis: number('--command-apis'),
  });
  const { markdown, files } = writeReport(report, join(ROOT, 'bench', 'results'));
  console.log(`\n${markdown}`);
  console.log(`written: ${files.join(', ')}`);
  if (report.scenarios.some((scenario) => scenario.error)) process.exitCode = 1;
}
