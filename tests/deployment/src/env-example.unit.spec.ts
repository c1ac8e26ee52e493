/**
 * .env.example is what the services' configuration readers say: every variable any service reads,
 * with its default, what it accepts and a description from the registry (and no description of a
 * variable no service reads). The file is generated (`npm run env:example`); this fails when the
 * committed one is stale.
 */
import { collectEnvVariables, ENV_VARIABLE_DESCRIPTIONS, renderEnvExample } from '@gyroscops/platform';
import { MINIMAL_ENV, SERVICES, readConfigRecordingNames } from './deployable-apps';
import { readRepositoryFile, repositoryFileExists } from './repository';

describe('.env.example', () => {
  it('is the file the readers generate (npm run env:example writes it)', () => {
    expect(repositoryFileExists('.env.example')).toBe(true);
    // Compared line by line: a failure names the lines that differ.
    expect(readRepositoryFile('.env.example').split('\n')).toEqual(renderEnvExample(SERVICES, MINIMAL_ENV).split('\n'));
  });

  it('lists every variable any service reads, and each with its default', () => {
    const listed = new Set(collectEnvVariables(SERVICES, MINIMAL_ENV).map((variable) => variable.name));
    for (const app of SERVICES) {
      const read = [...readConfigRecordingNames(app, MINIMAL_ENV).namesRead].filter((name) =>
        /^[A-Z][A-Z0-9_]*$/.test(name),
      );
      expect(read.filter((name) => !listed.has(name))).toEqual([]);
    }
    const example = readRepositoryFile('.env.example');
    expect(example).toContain('\n# PG_POOL_SIZE=10\n');
    expect(example).toContain('\n# REDIS_URL=redis://127.0.0.1:6379\n');
  });

  it('describes no variable that no service reads', () => {
    const read = new Set(collectEnvVariables(SERVICES, MINIMAL_ENV).map((variable) => variable.name));
    expect(Object.keys(ENV_VARIABLE_DESCRIPTIONS).filter((name) => !read.has(name))).toEqual([]);
  });
});
