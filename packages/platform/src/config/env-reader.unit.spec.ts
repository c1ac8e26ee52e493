/**
 * Proves configuration fails fast and whole: loadConfig gives defaults for an empty environment,
 * names every bad variable in one ConfigError, and returns a deeply frozen object; the event-store and
 * read database URLs fall back to DATABASE_URL.
 */
import { ConfigError, EnvReader } from './env-reader';
import {
  DEFAULT_DATABASE_URL,
  loadConfig,
  readHttpConfig,
  readLogConfig,
  readPostgresConfig,
  readRedisConfig,
  readTemporalConfig,
} from './platform-config';
import type { Env } from './env-reader';

const buildAll = (reader: EnvReader) => ({
  postgres: readPostgresConfig(reader),
  redis: readRedisConfig(reader),
  temporal: readTemporalConfig(reader),
  log: readLogConfig(reader),
  http: readHttpConfig(reader, 'PORT', 3000),
});

const configErrorOf = (env: Env): ConfigError => {
  try {
    loadConfig(buildAll, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('given an empty environment, then every value has its default', () => {
    expect(loadConfig(buildAll, {})).toEqual({
      postgres: { eventStoreDatabaseUrl: DEFAULT_DATABASE_URL, readDatabaseUrl: DEFAULT_DATABASE_URL, poolSize: 10 },
      redis: { url: 'redis://127.0.0.1:6379', keyPrefix: 'gyroscops:' },
      temporal: { address: '127.0.0.1:7233', namespace: 'default' },
      log: { level: 'info', pretty: false },
      http: { host: '127.0.0.1', port: 3000 },
    });
  });

  it('reads and trims given values, and treats blank ones as unset', () => {
    const config = loadConfig(buildAll, {
      PG_POOL_SIZE: ' 25 ',
      REDIS_URL: 'rediss://cache.internal:6380',
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: '   ',
      LOG_LEVEL: 'debug',
      LOG_PRETTY: 'YES',
      PORT: '0',
    });
    expect(config).toMatchObject({
      postgres: { poolSize: 25 },
      redis: { url: 'rediss://cache.internal:6380' },
      temporal: { address: 'temporal:7233', namespace: 'default' },
      log: { level: 'debug', pretty: true },
      http: { port: 0 },
    });
  });

  it('names every bad variable at once in the ConfigError', () => {
    const error = configErrorOf({
      DATABASE_URL: 'mysql://db/x',
      READ_DATABASE_URL: 'not a url',
      PG_POOL_SIZE: '0',
      REDIS_URL: 'http://redis',
      TEMPORAL_ADDRESS: 'temporal',
      LOG_LEVEL: 'verbose',
      LOG_PRETTY: 'maybe',
      PORT: '70000',
    });

    const names = [
      'DATABASE_URL',
      'READ_DATABASE_URL',
      'PG_POOL_SIZE',
      'REDIS_URL',
      'TEMPORAL_ADDRESS',
      'LOG_LEVEL',
      'LOG_PRETTY',
      'PORT',
    ];
    expect(error.problems).toHaveLength(names.length);
    for (const name of names) expect(error.message).toContain(name);
    expect(error.message).toMatch(/^invalid configuration:\n {2}- /);
    // A bad DATABASE_URL is reported once, not again through the two URLs that default to it.
    expect(error.problems.filter((problem) => problem.startsWith('EVENT_STORE_DATABASE_URL'))).toEqual([]);
  });

  it.each([
    ['PG_POOL_SIZE', '1.5'],
    ['PG_POOL_SIZE', '201'],
    ['PG_POOL_SIZE', '10abc'],
    ['PORT', '-1'],
    ['LOG_PRETTY', '2'],
    ['EVENT_STORE_DATABASE_URL', 'redis://127.0.0.1:6379'],
  ])('refuses %s=%s', (name, value) => {
    expect(configErrorOf({ [name]: value }).problems).toEqual([expect.stringContaining(name)]);
  });

  it('never prints the password of a rejected URL', () => {
    const reader = new EnvReader({ DATABASE_URL: 'mysql://admin:hunter2@db.internal:3306/gyroscops' });
    reader.url('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/gyroscops', ['postgres:']);
    let message = '';
    try {
      reader.done();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('admin:***@db.internal');
    expect(message).not.toContain('hunter2');
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig(buildAll, {});

    expect(Object.isFrozen(config)).toBe(true);
    for (const section of Object.values(config)) expect(Object.isFrozen(section)).toBe(true);
    expect(() => {
      (config.postgres as { poolSize: number }).poolSize = 99;
    }).toThrow(TypeError);
    expect(config.postgres.poolSize).toBe(10);
  });

  it('reads process.env when no environment is given', () => {
    const saved = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'warn';
    try {
      expect(loadConfig(readLogConfig).level).toBe('warn');
    } finally {
      if (saved === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = saved;
    }
  });
});

describe('readPostgresConfig', () => {
  const read = (env: Env) => loadConfig(readPostgresConfig, env);

  it('EVENT_STORE_DATABASE_URL and READ_DATABASE_URL default to DATABASE_URL', () => {
    expect(read({ DATABASE_URL: 'postgres://app@db:5432/payments' })).toMatchObject({
      eventStoreDatabaseUrl: 'postgres://app@db:5432/payments',
      readDatabaseUrl: 'postgres://app@db:5432/payments',
    });
  });

  it('each may be set on its own', () => {
    expect(
      read({
        DATABASE_URL: 'postgres://db/main',
        EVENT_STORE_DATABASE_URL: 'postgresql://db/events',
        READ_DATABASE_URL: 'postgres://replica/read',
      }),
    ).toMatchObject({ eventStoreDatabaseUrl: 'postgresql://db/events', readDatabaseUrl: 'postgres://replica/read' });
    expect(read({ READ_DATABASE_URL: 'postgres://replica/read' })).toMatchObject({
      eventStoreDatabaseUrl: DEFAULT_DATABASE_URL,
      readDatabaseUrl: 'postgres://replica/read',
    });
  });
});

describe('EnvReader', () => {
  it('collects problems until done() and throws nothing when there are none', () => {
    const reader = new EnvReader({ A: 'x', B: 'y' });
    expect(reader.integer('A', 1)).toBe(1);
    expect(reader.oneOf('B', ['p', 'q'] as const, 'p')).toBe('p');
    expect(reader.optionalString('C')).toBeUndefined();
    expect(() => reader.done()).toThrow(/A=x must be an integer[\s\S]*B=y must be one of p, q/);
    expect(() => new EnvReader({}).done()).not.toThrow();
  });
});
