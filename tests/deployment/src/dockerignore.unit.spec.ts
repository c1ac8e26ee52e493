import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isIgnoredByDockerignore } from './dockerignore';

const dockerignore = readFileSync(join(__dirname, '../../../.dockerignore'), 'utf8');

describe('.dockerignore', () => {
  it('keeps every .env and .env.* file, at the root and in any workspace, out of the build context', () => {
    for (const path of [
      '.env',
      '.env.local',
      '.env.production',
      'apps/command-api/.env',
      'apps/command-api/.env.development.local',
      'packages/platform/.env.test',
    ])
      expect({ path, ignored: isIgnoredByDockerignore(path, dockerignore) }).toEqual({ path, ignored: true });
  });

  it('lets the .env.example templates and the sources through', () => {
    for (const path of ['.env.example', 'apps/query-api/.env.example', 'package.json', 'apps/command-api/src/main.ts'])
      expect({ path, ignored: isIgnoredByDockerignore(path, dockerignore) }).toEqual({ path, ignored: false });
  });
});
