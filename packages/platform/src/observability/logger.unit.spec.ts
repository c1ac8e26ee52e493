/**
 * Proves log lines never carry secrets: Authorization and cookie headers, token, secret and password
 * fields at any of the first three levels are redacted, and connection URLs keep everything but
 * their password. Lines are captured from a real pino logger writing to memory.
 */
import pino from 'pino';
import { loggerOptions, maskUrlPassword, redactSecrets } from './logger';

function capture(): { logger: pino.Logger; lines: () => Record<string, any>[] } {
  const chunks: string[] = [];
  const logger = pino(loggerOptions('test', { level: 'info', pretty: false }), {
    write: (chunk: string) => void chunks.push(chunk),
  });
  return { logger, lines: () => chunks.map((chunk) => JSON.parse(chunk)) };
}

describe('service logs', () => {
  it('redact authorization, cookies, tokens, secrets and passwords', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        req: {
          headers: { authorization: 'Bearer eyJhbGciOi.secret.sig', cookie: 'session=abc', 'x-request-id': 'r1' },
        },
        token: 't0p',
        config: { jwtSecret: 'hs256-key', password: 'hunter2', nested: { accessToken: 'at', apiKey: 'k' } },
      },
      'hello',
    );
    const line = lines()[0]!;
    expect(line.req.headers).toEqual({ authorization: '[redacted]', cookie: '[redacted]', 'x-request-id': 'r1' });
    expect(line.token).toBe('[redacted]');
    expect(line.config).toEqual({
      jwtSecret: '[redacted]',
      password: '[redacted]',
      nested: { accessToken: '[redacted]', apiKey: '[redacted]' },
    });
    expect(JSON.stringify(line)).not.toMatch(/hunter2|hs256-key|eyJhbGciOi|t0p/);
  });

  it('keep connection URLs but mask their password', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        postgres: { eventStoreDatabaseUrl: 'postgres://app:hunter2@db:5432/es', readDatabaseUrl: 'postgres://db/read' },
        redis: { url: 'redis://:s3cret@cache:6379' },
      },
      'config',
    );
    const line = lines()[0]!;
    expect(line.postgres).toEqual({
      eventStoreDatabaseUrl: 'postgres://app:***@db:5432/es',
      readDatabaseUrl: 'postgres://db/read',
    });
    expect(line.redis.url).toBe('redis://:***@cache:6379');
    expect(line.service).toBe('test');
  });

  it('redact secrets in logged errors, keeping their type, message and stack', () => {
    const { logger, lines } = capture();
    const error = Object.assign(new TypeError('connection refused'), {
      config: { password: 'hunter2', host: 'db' },
      Authorization: 'Bearer abc',
    });
    logger.error({ err: error }, 'failed');
    const line = lines()[0]!;
    expect(line.err).toMatchObject({
      type: 'TypeError',
      message: 'connection refused',
      config: { password: '[redacted]', host: 'db' },
      Authorization: '[redacted]',
    });
    expect(line.err.stack).toContain('TypeError: connection refused');
    // The caller's error is not changed.
    expect(error.config.password).toBe('hunter2');
  });

  it('stop looking below the third level, and leave objects without secrets as they are (no copy)', () => {
    const deep = { a: { b: { c: { password: 'kept' } } } };
    expect(redactSecrets(deep)).toBe(deep);
    const clean = { code: 'VALIDATION', status: 400, items: [{ path: '/amount' }] };
    expect(redactSecrets(clean)).toBe(clean);
    expect(redactSecrets({ items: [{ token: 't' }] })).toEqual({ items: [{ token: '[redacted]' }] });
  });

  it("carry a child logger's bindings (the request's ids) unchanged", () => {
    const { logger, lines } = capture();
    logger
      .child({ reqId: 'r1', correlationId: 'c1' })
      .child({ userId: 'u1', organizations: ['org-a'] })
      .info({ status: 200 }, 'done');
    expect(lines()[0]).toMatchObject({
      reqId: 'r1',
      correlationId: 'c1',
      userId: 'u1',
      organizations: ['org-a'],
      status: 200,
      msg: 'done',
    });
  });

  it('maskUrlPassword leaves text without credentials alone', () => {
    expect(maskUrlPassword('GET /payments?x=1')).toBe('GET /payments?x=1');
    expect(maskUrlPassword('connect to postgresql://u:p@h/db failed')).toBe(
      'connect to postgresql://u:***@h/db failed',
    );
  });
});
