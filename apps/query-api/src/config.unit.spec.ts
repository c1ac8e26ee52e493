import { ConfigError, DEV_JWT_SECRET } from '@gyroscops/platform';
import { readQueryApiConfig } from './config';

describe('readQueryApiConfig', () => {
  it('defaults the cache to 10 000 entries, 50 MB and 30 s in L1, 300 s in L2, and Redis commands to 25 ms', () => {
    const config = readQueryApiConfig({ JWT_SECRET: DEV_JWT_SECRET, REDIS_KEY_PREFIX: 'gyro:' });
    expect(config.cache).toEqual({
      keyPrefix: 'gyro:',
      l1MaxEntries: 10_000,
      l1MaxBytes: 50 * 1024 * 1024,
      l1TtlMs: 30_000,
      l2TtlSeconds: 300,
    });
    expect(config.redis.commandTimeoutMs).toBe(25);
  });

  it('reads the cache variables', () => {
    const config = readQueryApiConfig({
      JWT_SECRET: DEV_JWT_SECRET,
      CACHE_L1_MAX_ENTRIES: '500',
      CACHE_L1_TTL_MS: '1000',
      CACHE_L2_TTL_SECONDS: '60',
      REDIS_COMMAND_TIMEOUT_MS: '40',
    });
    expect(config.cache).toMatchObject({ l1MaxEntries: 500, l1TtlMs: 1_000, l2TtlSeconds: 60 });
    expect(config.redis.commandTimeoutMs).toBe(40);
  });

  it('names every bad cache variable at once', () => {
    let thrown: unknown;
    try {
      readQueryApiConfig({
        JWT_SECRET: DEV_JWT_SECRET,
        CACHE_L1_MAX_ENTRIES: '0',
        CACHE_L1_TTL_MS: 'soon',
        CACHE_L2_TTL_SECONDS: '-5',
        REDIS_COMMAND_TIMEOUT_MS: '1.5',
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const message = (thrown as ConfigError).message;
    for (const name of ['CACHE_L1_MAX_ENTRIES', 'CACHE_L1_TTL_MS', 'CACHE_L2_TTL_SECONDS', 'REDIS_COMMAND_TIMEOUT_MS'])
      expect(message).toContain(name);
  });
});
