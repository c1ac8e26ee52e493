import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ProblemDetails, PROBLEM_CONTENT_TYPE } from '@gyroscops/contracts';
import type { Logger as PinoLogger } from 'pino';
import type { Registry } from 'prom-client';
import type Redis from 'ioredis';
import { DEFAULT_RATE_LIMIT, type HttpHardeningConfig } from '../config/hardening-config';
import type { LogConfig } from '../config/platform-config';
import { httpTracing } from '../observability/http-tracing';
import { loggerOptions } from '../observability/logger';
import { createHttpMetrics } from '../observability/metrics-registry';
import { createAuthenticator, isPublicPath, type AuthConfig, type Caller } from './authentication';
import { registerCrossOrigin } from './cross-origin';
import { registerHealthRoutes, type ReadinessCheck } from './health-routes';
import { registerLoadShedding } from './load-shedding';
import { answerClientError, answerFrameworkError, refuseWhileClosing, trackClosing } from './edge-problems';
import { problemOf, toProblem } from './problem-details';
import { documentRateLimitHeaders, registerRateLimiting } from './rate-limiting';
import { apiSecurityHeaders, DOCS_CSP_WITHOUT_UPGRADE } from './security-headers';
import { createValidatorCompiler } from './validator-compiler';

export type HttpApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

declare module 'fastify' {
  interface FastifyRequest {
    /** Echoed from X-Correlation-Id or generated; stored in the metadata of every event the request causes. */
    correlationId: string;
  }
}

export interface HttpAppOptions {
  service: string;
  title: string;
  description: string;
  /** The contract's version (OpenAPI `info.version`): the APIs pass @gyroscops/api-client's package version. */
  version?: string;
  log: LogConfig;
  metrics: Registry;
  readiness: Record<string, ReadinessCheck>;
  tags: { name: string; description: string }[];
  /** How bearer tokens are verified: every route but health, metrics and docs needs one. */
  auth: AuthConfig;
  /** Largest accepted body in bytes (API.md: 64 KiB). */
  bodyLimit?: number;
  /**
   * CORS origins, rate limits and load shedding. Absent parts: no CORS, DEFAULT_RATE_LIMIT counted in
   * process, and no load shedding (the services always pass MAX_EVENT_LOOP_DELAY_MS; in-process test
   * stacks on a starved CI machine would otherwise shed their own requests).
   */
  hardening?: HttpHardeningOptions;
}

export interface HttpHardeningOptions extends Partial<HttpHardeningConfig> {
  /** Where rate-limit counters live, so limits hold across instances; in this process when absent (tests, one instance). */
  rateLimitStore?: { redis: Redis; keyPrefix: string };
}

/** TRUST_PROXY as Fastify takes it: a hop count becomes "trust the first n hops" (what proxy-addr does with a number). */
const trustProxyOption = (trust: false | number | string[]) =>
  typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust;

const SAFE_ID = /^[A-Za-z0-9._:-]{1,200}$/;
const incomingId = (value: unknown) => (typeof value === 'string' && SAFE_ID.test(value) ? value : undefined);

/**
 * A Fastify instance with what every API of the platform shares: TypeBox schemas, strict body
 * validation, problem+json errors, request and correlation ids, OpenAPI at /openapi.json with
 * Swagger UI at /docs, health routes and Prometheus metrics at /metrics, and bearer-token
 * authentication (`request.caller`) on every other route. Hardening, in hook order: security headers
 * (and the refusal while closing), load shedding (503), CORS, then one hook for authentication (401)
 * and rate limits (429); bodies over `bodyLimit` are a 413 and anything but JSON a 415, all answered
 * as problem+json.
 */
export async function createHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  const hardening = options.hardening ?? {};
  const app = Fastify({
    logger: loggerOptions(options.service, options.log),
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    requestIdHeader: false,
    genReqId: (request) => incomingId(request.headers['x-request-id']) ?? randomUUID(),
    requestTimeout: 30_000,
    // Refused while closing by refuseWhileClosing instead: Fastify's own 503 is not problem+json.
    return503OnClosing: false,
    // Errors answered before any route or hook runs: problem+json too (see edge-problems).
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    // `request.ip` (the unauthenticated rate-limit key, and logs) from X-Forwarded-For only behind trusted proxies.
    trustProxy: trustProxyOption(hardening.trustProxy ?? false),
    forceCloseConnections: 'idle',
    // One child logger per request, carrying both ids: each pino child costs a level table and a
    // serialized copy of its bindings (see loggerOptions on why bindings are not redacted).
    childLoggerFactory: (logger, bindings, childOptions, rawRequest) => {
      const correlationId = incomingId(rawRequest.headers['x-correlation-id']) ?? randomUUID();
      (rawRequest as IncomingMessage & { correlationId?: string }).correlationId = correlationId;
      return logger.child({ ...bindings, correlationId }, childOptions);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(createValidatorCompiler());
  // JSON only: every other media type (text/plain, forms, multipart, XML...) has no parser and is a 415.
  app.removeContentTypeParser('text/plain');
  app.addSchema(ProblemDetails);
  app.decorateRequest('correlationId', '');
  // Hooks that do not wait on anything are callback-style: an async hook costs a promise per request.
  // First hook: every answer, shed or refused ones included, carries the ids and the security headers,
  // every log line the ids; a request arriving while the server closes is refused here.
  const securityHeaders = apiSecurityHeaders();
  const isClosing = trackClosing(app);
  app.addHook('onRequest', (request, reply, done) => {
    request.correlationId = (request.raw as IncomingMessage & { correlationId?: string }).correlationId ?? randomUUID();
    reply.headers(securityHeaders);
    reply.header('x-request-id', request.id);
    reply.header('x-correlation-id', request.correlationId);
    if (isClosing()) return refuseWhileClosing(request, reply);
    done();
  });
  // Spans cover shed and rejected requests too.
  await app.register(httpTracing);
  if (hardening.maxEventLoopDelayMs)
    await registerLoadShedding(app, { maxEventLoopDelayMs: hardening.maxEventLoopDelayMs });
  await registerCrossOrigin(app, hardening.corsOrigins ?? []);

  const httpMetrics = createHttpMetrics(options.metrics);
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    httpMetrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    httpMetrics.duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    done();
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.title, description: options.description, version: options.version ?? '1.0.0' },
      tags: [...options.tags, { name: 'health', description: 'Liveness, readiness and metrics' }],
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearerAuth: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, index) => (json.$id as string) ?? `def-${index}` },
    // Every rate-limited answer carries RateLimit and RateLimit-Policy: declared once for all routes.
    transformObject: (documents) =>
      'openapiObject' in documents ? documentRateLimitHeaders(documents.openapiObject) : documents.swaggerObject,
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    transformStaticCSP: DOCS_CSP_WITHOUT_UPGRADE,
  });
  const authenticate = createAuthenticator(options.auth);
  app.decorateRequest('caller', null as unknown as Caller);
  const limitRequest = await registerRateLimiting(app, {
    ...(hardening.rateLimit ?? DEFAULT_RATE_LIMIT),
    store: hardening.rateLimitStore,
    service: options.service,
  });
  // One hook for every route but the public ones: authentication (401), the caller on the request's
  // logger, then the rate limit (429). The limiter needs `request.caller`; a request authentication
  // rejects is counted by the error handler instead, against its IP address.
  app.addHook('onRequest', async (request, reply) => {
    if (isPublicPath(request.url)) return;
    const authenticated = authenticate(request);
    if (authenticated) await authenticated;
    // Added to the request's logger in place (no second child; request.log and reply.log are the same logger).
    (request.log as unknown as PinoLogger).setBindings({
      userId: request.caller.userId,
      organizations: request.caller.organizations,
    });
    await limitRequest(request, reply);
  });

  app.setErrorHandler(async (error, request, reply) => {
    let thrown: unknown = error;
    // A request authentication rejected never reached the limiter: count it against its IP address.
    if (toProblem(error).problem.status === 401 && !isPublicPath(request.url)) {
      await limitRequest(request, reply).catch((limited: unknown) => {
        thrown = limited;
      });
    }
    const { problem, headers, isServerError } = toProblem(thrown);
    if (problem.status === 503)
      request.log.warn({ code: problem.code, reason: (thrown as Error).message }, 'unavailable');
    else if (isServerError) request.log.error({ err: thrown }, 'request failed');
    else request.log.info({ code: problem.code, status: problem.status }, problem.detail ?? problem.title);
    return reply
      .code(problem.status)
      .headers(headers)
      .type(PROBLEM_CONTENT_TYPE)
      .send({ ...problem, instance: request.url });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .type(PROBLEM_CONTENT_TYPE)
      .send({
        ...problemOf('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`),
        instance: request.url,
      }),
  );

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['health'],
        operationId: 'getMetrics',
        summary: 'Prometheus metrics',
        produces: ['text/plain'],
        security: [],
        response: { 200: { type: 'string', description: 'Prometheus text exposition format' } },
      },
    },
    async (_request, reply) => reply.type(options.metrics.contentType).send(await options.metrics.metrics()),
  );
  registerHealthRoutes(app, options.readiness);
  return app;
}

const TITLE_OF_STATUS: Record<number, string> = {
  400: 'Invalid input (problem+json, with `errors` per field)',
  401: 'Missing or invalid credentials',
  403: 'Not allowed',
  404: 'Unknown, or not visible to the caller',
  409: 'Conflicts with the current state (or an idempotency key reused with another body)',
  412: 'If-Match no longer matches the stream version',
  413: 'Body larger than 64 KiB',
  415: 'Content type is not application/json',
  429: 'Rate limited (see Retry-After)',
  500: 'A bug: details are in the logs, not here',
  503: 'A dependency is unavailable, or the read side did not catch up in time (see Retry-After)',
};

/** The problem+json responses a route can answer with, for its OpenAPI schema. */
export function problemResponses(...statuses: number[]): Record<number, unknown> {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: TITLE_OF_STATUS[status] ?? `problem (${status})`,
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: 'ProblemDetails#' } } },
      },
    ]),
  );
}
