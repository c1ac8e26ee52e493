/**
 * Proves toProblem maps what a request can throw onto problem+json: Fastify's own errors (taken from a
 * real Fastify instance through inject, in memory) become 400 with per-field `errors`, 413 and 415;
 * ApplicationError and DomainError codes get their status, message and headers; anything else, even
 * with a `code` or `statusCode` of its own, is a bare 500 whose details never reach the client.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { DomainError } from '@gyroscops/domain';
import { ApplicationError, HTTP_STATUS_BY_CODE, type ErrorCode } from './application-error';
import { problemOf, toProblem } from './problem-details';
import { createValidatorCompiler } from './validator-compiler';

/** The error Fastify hands its error handler for one injected request. */
async function fastifyErrorFor(request: { payload?: string; contentType?: string; url?: string }): Promise<unknown> {
  const app: FastifyInstance = Fastify({ bodyLimit: 100 });
  app.setValidatorCompiler(createValidatorCompiler());
  let caught: unknown;
  app.setErrorHandler((error, _request, reply) => {
    caught = error;
    return reply.code(599).send();
  });
  app.post(
    '/payments',
    {
      schema: {
        querystring: { type: 'object', properties: { limit: { type: 'integer' } } },
        body: {
          type: 'object',
          required: ['amount', 'currency'],
          additionalProperties: false,
          properties: { amount: { type: 'string', pattern: '^\\d+(\\.\\d+)?$' }, currency: { type: 'string' } },
        },
      },
    },
    async () => ({ ok: true }),
  );
  await app.inject({
    method: 'POST',
    url: request.url ?? '/payments',
    payload: request.payload ?? '{"amount":"1.00","currency":"EUR"}',
    headers: { 'content-type': request.contentType ?? 'application/json' },
  });
  await app.close();
  expect(caught).toBeDefined();
  return caught;
}

describe('toProblem', () => {
  describe("Fastify's errors", () => {
    it('a body that fails validation is a 400 listing every field, missing and unknown ones by name', async () => {
      const error = await fastifyErrorFor({ payload: JSON.stringify({ amount: 5, note: 'x' }) });

      const { problem, headers, isServerError } = toProblem(error);

      expect(problem).toMatchObject({
        status: 400,
        code: 'VALIDATION',
        title: 'Invalid request',
        detail: 'The request does not match the schema.',
      });
      expect(problem.errors?.map((each) => each.path).sort()).toEqual(['body:/amount', 'body:/currency', 'body:/note']);
      for (const each of problem.errors ?? []) expect(each.message).toEqual(expect.any(String));
      expect(headers).toEqual({});
      expect(isServerError).toBe(false);
    });

    it('names the part of the request that failed', async () => {
      const { problem } = toProblem(await fastifyErrorFor({ url: '/payments?limit=abc' }));
      expect(problem.errors).toEqual([{ path: 'querystring:/limit', message: expect.any(String) }]);
    });

    it('a body over the limit is a 413', async () => {
      const { problem, isServerError } = toProblem(
        await fastifyErrorFor({ payload: JSON.stringify({ amount: '1'.repeat(200), currency: 'EUR' }) }),
      );
      expect(problem).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      expect(isServerError).toBe(false);
    });

    it('a body of a media type Fastify cannot parse is a 415', async () => {
      // Not text/plain: Fastify parses that by default, so it reaches validation and is a 400.
      const { problem } = toProblem(
        await fastifyErrorFor({ contentType: 'application/x-www-form-urlencoded', payload: 'amount=1' }),
      );
      expect(problem).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    });

    it('malformed JSON is a 400', async () => {
      const { problem } = toProblem(await fastifyErrorFor({ payload: '{"amount":' }));
      expect(problem).toMatchObject({ status: 400, code: 'VALIDATION' });
    });

    it("Fastify's errors built elsewhere (e.g. by a plugin) are recognised by their FST_ code", () => {
      const tooLarge = Object.assign(new Error('too big'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
      expect(toProblem(tooLarge).problem).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE', detail: 'too big' });
      expect(
        toProblem(Object.assign(new Error('no'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 })).problem
          .status,
      ).toBe(415);
    });

    it('another Fastify 4xx keeps its status', () => {
      const badUrl = Object.assign(new Error("'/%' is not a valid url component"), {
        code: 'FST_ERR_BAD_URL',
        statusCode: 400,
      });
      expect(toProblem(badUrl)).toMatchObject({ problem: { status: 400, code: 'VALIDATION' }, isServerError: false });
    });

    it('a Fastify 5xx is a bare 500', () => {
      expect(
        toProblem(Object.assign(new Error('hook timed out'), { code: 'FST_ERR_HOOK_TIMEOUT', statusCode: 500 }))
          .problem,
      ).toEqual(problemOf('INTERNAL'));
    });
  });

  describe('DomainError', () => {
    it('is answered with its status, message and field errors', () => {
      const { problem, isServerError } = toProblem(
        new DomainError('VALIDATION', 'amount: too many decimals', [{ path: '/amount', message: 'too many decimals' }]),
      );
      expect(problem).toMatchObject({
        status: 400,
        code: 'VALIDATION',
        detail: 'amount: too many decimals',
        errors: [{ path: '/amount', message: 'too many decimals' }],
      });
      expect(isServerError).toBe(false);
      expect(toProblem(new DomainError('CONFLICT', 'already refunded')).problem).toMatchObject({
        status: 409,
        code: 'CONFLICT',
      });
    });
  });

  describe('ApplicationError', () => {
    it.each(Object.entries(HTTP_STATUS_BY_CODE).filter(([, status]) => status < 500) as [ErrorCode, number][])(
      '%s is a %i with its message as detail',
      (code, status) => {
        const { problem, isServerError } = toProblem(new ApplicationError(code, `because of ${code}`));
        expect(problem).toEqual({ ...problemOf(code, `because of ${code}`), status });
        expect(problem.type).toMatch(/^https:\/\/docs\.gyroscops\.com\/problems\/[a-z-]+$/);
        expect(isServerError).toBe(false);
      },
    );

    it('keeps its field errors and headers', () => {
      const error = new ApplicationError('RATE_LIMITED', 'slow down', [{ path: '/amount', message: 'too many' }], {
        'retry-after': '3',
      });

      const { problem, headers } = toProblem(error);

      expect(problem).toMatchObject({
        status: 429,
        detail: 'slow down',
        errors: [{ path: '/amount', message: 'too many' }],
      });
      expect(headers).toEqual({ 'retry-after': '3' });
    });

    it('a 5xx code keeps its status and headers but not its message', () => {
      const { problem, headers, isServerError } = toProblem(
        new ApplicationError('UNAVAILABLE', 'redis at 10.0.0.7 refused', [], { 'retry-after': '1' }),
      );

      expect(problem).toEqual({
        type: expect.any(String),
        title: 'Service unavailable',
        status: 503,
        code: 'UNAVAILABLE',
      });
      expect(headers).toEqual({ 'retry-after': '1' });
      expect(isServerError).toBe(true);
    });
  });

  describe('a lost database connection', () => {
    it.each([
      [
        'a terminated backend (57P01)',
        Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      ],
      ['a connection failure (08006)', Object.assign(new Error('connection failure'), { code: '08006' })],
      ["pg's socket closed under a query", new Error('Connection terminated unexpectedly')],
      ['a pool that cannot connect', new Error('timeout exceeded when trying to connect')],
      [
        'a refused connection',
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      ],
    ])('%s is a 503 with Retry-After that leaks nothing', (_name, thrown) => {
      const { problem, headers, isServerError } = toProblem(thrown);
      expect(problem).toEqual(problemOf('UNAVAILABLE'));
      expect(headers).toEqual({ 'retry-after': '1' });
      expect(isServerError).toBe(true);
    });
  });

  describe('anything else', () => {
    it.each([
      ['an Error', new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2')],
      ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'secret')")],
      ['an Error with a 5xx status', Object.assign(new Error('upstream said: token abc'), { statusCode: 502 })],
      ['an Error with an unknown code', Object.assign(new Error('duplicate key value (secret)'), { code: '23505' })],
      ['a string', 'raw secret'],
      ['undefined', undefined],
      ['null', null],
    ])('%s is a bare 500 that leaks nothing', (_name, thrown) => {
      const { problem, headers, isServerError } = toProblem(thrown);

      expect(problem).toEqual(problemOf('INTERNAL'));
      expect(problem).toEqual({
        type: 'https://docs.gyroscops.com/problems/internal',
        title: 'Internal server error',
        status: 500,
        code: 'INTERNAL',
      });
      expect(headers).toEqual({});
      expect(isServerError).toBe(true);
    });

    it.each([
      ['an Error with a platform code', Object.assign(new Error('row 7 of tenant acme'), { code: 'CONFLICT' })],
      ['an Error with a 4xx status', Object.assign(new Error('not here'), { statusCode: 404 })],
      [
        'an Error with a 429 status and headers',
        Object.assign(new Error('slow'), { statusCode: 429, headers: { 'retry-after': '2' } }),
      ],
      [
        'a plain object shaped like an ApplicationError',
        { name: 'ApplicationError', code: 'FORBIDDEN', message: 'organization acme' },
      ],
      [
        'a plain object with a Fastify code',
        { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413, message: 'too big' },
      ],
      ['a DomainError that lost its prototype', { name: 'DomainError', code: 'NOT_FOUND', message: 'payment 42' }],
    ])('%s did not come from us on purpose: a bare 500', (_name, thrown) => {
      expect(toProblem(thrown)).toEqual({ problem: problemOf('INTERNAL'), headers: {}, isServerError: true });
    });
  });
});
