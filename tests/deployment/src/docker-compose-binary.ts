import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cachedToolPath } from './cached-tool';
import { REPOSITORY_ROOT } from './repository';

const run = promisify(execFile);

/**
 * A real Docker Compose (its `config` command needs no engine): infra/tools/docker-compose.sh
 * builds it from Docker's sources once per machine into ~/.cache/gyroscops and prints its path.
 * The first build takes minutes; later calls answer at once.
 */
export function dockerComposeBinary(): string {
  return cachedToolPath('infra/tools/docker-compose.sh');
}

/**
 * Runs `docker compose <args>` on the repository's project with a bare environment, so variables
 * of the machine running the tests (TEMPORAL_ADDRESS, JWT_SECRET, ...) do not leak into the
 * interpolation. Rejects with compose's own message when it refuses the file.
 */
export async function dockerCompose(binary: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(binary, ['--project-directory', REPOSITORY_ROOT, ...args], {
    cwd: REPOSITORY_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 60_000,
  });
  return stdout;
}
