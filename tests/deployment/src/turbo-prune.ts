import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPOSITORY_ROOT } from './repository';

const run = promisify(execFile);

/**
 * Runs `turbo prune <package> --docker` as the Dockerfiles' pruner stage does, into a fresh
 * folder; returns that folder (holding json/ and full/, as /app/out in the image).
 */
export async function turboPrune(packageName: string): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'gyroscops-prune-'));
  await run(
    join(REPOSITORY_ROOT, 'node_modules', '.bin', 'turbo'),
    ['prune', packageName, '--docker', `--out-dir=${out}`],
    {
      cwd: REPOSITORY_ROOT,
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
      timeout: 120_000,
    },
  );
  return out;
}
