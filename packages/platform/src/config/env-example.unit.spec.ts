import { collectEnvVariables, renderEnvExample, type ConfiguredService } from './env-example';
import { recordEnvReads, type EnvReader } from './env-reader';
import { loadConfig } from './platform-config';

/** A service whose reader reads what `read` says, through the same EnvReader the services use. */
const service = (name: string, read: (reader: EnvReader) => object): ConfiguredService => ({
  name,
  readConfig: (env) => loadConfig(read, env),
});

describe('recordEnvReads', () => {
  it('records each variable once, in reading order, with its fallback and what it accepts', () => {
    const reads = recordEnvReads(() =>
      loadConfig(
        (reader) => ({
          port: reader.integer('PORT_X', 3000, { min: 0, max: 65535 }),
          again: reader.integer('PORT_X', 3000, { min: 0, max: 65535 }),
          level: reader.oneOf('LEVEL_X', ['a', 'b'] as const, 'a'),
          url: reader.url('URL_X', 'redis://127.0.0.1:6379', ['redis:']),
          key: reader.optionalString('KEY_X'),
          headers: reader.prefixed('META_X_'),
          flag: reader.boolean('FLAG_X', false),
        }),
        {},
      ),
    );
    expect(reads).toEqual([
      { name: 'PORT_X', fallback: '3000', accepts: 'an integer from 0 to 65535' },
      { name: 'LEVEL_X', fallback: 'a', accepts: 'one of a, b' },
      { name: 'URL_X', fallback: 'redis://127.0.0.1:6379', accepts: 'a redis:// URL' },
      { name: 'KEY_X' },
      { name: 'META_X_*' },
      { name: 'FLAG_X', fallback: 'false', accepts: 'true or false' },
    ]);
  });

  it('records nothing outside a recording, and restores an outer recording after an inner one', () => {
    const inner: string[][] = [];
    const outer = recordEnvReads(() => {
      loadConfig((reader) => ({ value: reader.string('OUTER_X', 'o') }), {});
      inner.push(
        recordEnvReads(() => loadConfig((reader) => ({ value: reader.string('INNER_X', 'i') }), {})).map(
          (read) => read.name,
        ),
      );
      loadConfig((reader) => ({ value: reader.string('OUTER_Y', 'o') }), {});
    });
    expect(inner).toEqual([['INNER_X']]);
    expect(outer.map((read) => read.name)).toEqual(['OUTER_X', 'OUTER_Y']);
    expect(loadConfig((reader) => ({ value: reader.string('NOT_RECORDED_X', 'x') }), {})).toEqual({ value: 'x' });
  });
});

describe('collectEnvVariables', () => {
  it('says which services read each variable, raw reads of the environment included', () => {
    const variables = collectEnvVariables(
      [
        service('one', (reader) => ({
          host: reader.string('HOST', '127.0.0.1'),
          pool: reader.integer('PG_POOL_SIZE', 10, { min: 1, max: 200 }),
        })),
        {
          name: 'two',
          readConfig: (env) => ({
            host: loadConfig((reader) => ({ value: reader.string('HOST', '127.0.0.1') }), env),
            otlp: env.OTEL_EXPORTER_OTLP_ENDPOINT,
          }),
        },
      ],
      {},
    );
    expect(variables.map(({ name, readBy, fallback }) => ({ name, readBy, fallback }))).toEqual([
      { name: 'HOST', readBy: ['one', 'two'], fallback: '127.0.0.1' },
      { name: 'PG_POOL_SIZE', readBy: ['one'], fallback: '10' },
      { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', readBy: ['two'], fallback: undefined },
    ]);
  });

  it('refuses a service that does not start, a variable without a description, and two services falling back to different values', () => {
    expect(() =>
      collectEnvVariables([service('one', (reader) => ({ value: reader.boolean('LOG_PRETTY', false) }))], {
        LOG_PRETTY: 'maybe',
      }),
    ).toThrow(
      'one does not start with the environment given: invalid configuration:\n  - LOG_PRETTY=maybe must be true or false',
    );
    expect(() =>
      collectEnvVariables([service('one', (reader) => ({ value: reader.string('NOBODY_DESCRIBED_THIS', 'x') }))], {}),
    ).toThrow(
      'NOBODY_DESCRIBED_THIS (read by one) has no description in packages/platform/src/config/env-variables.ts',
    );
    expect(() =>
      collectEnvVariables(
        [
          service('one', (reader) => ({ value: reader.string('HOST', '127.0.0.1') })),
          service('two', (reader) => ({ value: reader.string('HOST', '0.0.0.0') })),
        ],
        {},
      ),
    ).toThrow('HOST falls back to "127.0.0.1" in one but "0.0.0.0" in two');
  });
});

describe('renderEnvExample', () => {
  it('groups variables by who reads them and comments out every assignment, derived defaults left blank', () => {
    const text = renderEnvExample(
      [
        service('one', (reader) => {
          const databaseUrl = reader.url('DATABASE_URL', 'postgres://127.0.0.1/a', ['postgres:']);
          return {
            databaseUrl,
            eventStore: reader.url('EVENT_STORE_DATABASE_URL', databaseUrl, ['postgres:']),
            headers: reader.prefixed('TEMPORAL_GRPC_META_'),
          };
        }),
        service('two', (reader) => ({ value: reader.url('DATABASE_URL', 'postgres://127.0.0.1/a', ['postgres:']) })),
      ],
      {},
    );
    const body = text.slice(text.indexOf('\n\n') + 2);
    expect(body.split('\n')).toEqual([
      `# --- read by every service ${'-'.repeat(72)}`,
      '',
      '# Postgres database of both stores unless the next two are set; created when missing. (a postgres:// URL)',
      '# DATABASE_URL=postgres://127.0.0.1/a',
      '',
      `# --- read by one ${'-'.repeat(82)}`,
      '',
      '# Postgres database of the events, streams, idempotency keys and the simulated gateway ledger; created when missing. (a postgres:// URL) Default: the value of DATABASE_URL.',
      '# EVENT_STORE_DATABASE_URL=',
      '',
      '# An extra gRPC header on every Temporal call: TEMPORAL_GRPC_META_X_TENANT=a sends x-tenant: a.',
      '# TEMPORAL_GRPC_META_<NAME>=',
      '',
    ]);
  });
});
