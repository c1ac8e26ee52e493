/**
 * Proves the hardening variables are validated like every other: defaults for an empty environment,
 * CORS_ORIGINS as a list of origins, and every bad value named in one ConfigError.
 */
import { ConfigError } from './env-reader';
import {
  DEFAULT_MAX_EVENT_LOOP_DELAY_MS,
  DEFAULT_RATE_LIMIT,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  readHttpHardeningConfig,
  readShutdownConfig,
} from './hardening-config';
import { loadConfig } from './platform-config';

const read = (env: Record<string, string>) =>
  loadConfig((reader) => ({ http: readHttpHardeningConfig(reader), shutdown: readShutdownConfig(reader) }), env);

describe('hardening configuration', () => {
  it('defaults: no CORS, the default rate limit, load shedding at 1 s and a bounded shutdown', () => {
    expect(read({})).toEqual({
      http: {
        corsOrigins: [],
        rateLimit: { max: DEFAULT_RATE_LIMIT.max, windowMs: DEFAULT_RATE_LIMIT.windowMs },
        maxEventLoopDelayMs: DEFAULT_MAX_EVENT_LOOP_DELAY_MS,
        trustProxy: false,
      },
      shutdown: { timeoutMs: DEFAULT_SHUTDOWN_TIMEOUT_MS },
    });
  });

  it('reads comma-separated origins, trimming blanks and a trailing slash', () => {
    const config = read({
      CORS_ORIGINS: ' https://app.example.com, http://localhost:5173/ ,,',
      RATE_LIMIT_MAX: '100',
      RATE_LIMIT_WINDOW_MS: '60000',
      MAX_EVENT_LOOP_DELAY_MS: '0',
    });
    expect(config.http).toEqual({
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      rateLimit: { max: 100, windowMs: 60_000 },
      maxEventLoopDelayMs: 0,
      trustProxy: false,
    });
  });

  it('reads TRUST_PROXY as a hop count or proxy addresses and ranges, and refuses to trust everyone', () => {
    expect(read({ TRUST_PROXY: '1' }).http.trustProxy).toBe(1);
    expect(read({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,fd00::/8' }).http.trustProxy).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'fd00::/8',
    ]);
    expect(read({ TRUST_PROXY: 'false' }).http.trustProxy).toBe(false);
    for (const value of ['true', '0', '10.0.0.0/33', 'proxy.internal', '10.0.0.1/8/8']) {
      expect(() => read({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY/);
    }
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      read({
        CORS_ORIGINS: 'https://ok.example.com,app.example.com,https://x.example.com/path',
        RATE_LIMIT_MAX: '0',
        RATE_LIMIT_WINDOW_MS: 'soon',
        MAX_EVENT_LOOP_DELAY_MS: '-5',
        SHUTDOWN_TIMEOUT_MS: '10',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems } = error as ConfigError;
    expect(problems.filter((problem) => problem.startsWith('CORS_ORIGINS'))).toHaveLength(2);
    for (const name of ['RATE_LIMIT_MAX', 'RATE_LIMIT_WINDOW_MS', 'MAX_EVENT_LOOP_DELAY_MS', 'SHUTDOWN_TIMEOUT_MS'])
      expect(problems.some((problem) => problem.startsWith(name))).toBe(true);
    expect(problems).toHaveLength(6);
  });
});
