import { execFileSync } from 'node:child_process';
import { repositoryPath } from './repository';

/**
 * Runs one of infra/tools/*.sh, which builds a Go tool from source into ~/.cache/gyroscops
 * when it is not there yet (minutes, once per machine) and prints its path.
 */
export function cachedToolPath(script: 'infra/tools/docker-compose.sh' | 'infra/tools/dockerfile-lint.sh'): string {
  return execFileSync('bash', [repositoryPath(script)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 45 * 60_000,
  }).trim();
}
