import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from '@gyroscops/contracts';
import type { ErrorCode } from './application-error';
import { problemOf, toProblem } from './problem-details';
import { apiSecurityHeaders } from './security-headers';

/**
 * The answers given before any route or hook runs, as problem+json like every other error. Fastify
 * answers a path parameter over `maxParamLength` (414) and a malformed percent-escape (400) from its
 * router, and Node's HTTP parser answers oversized headers (431), request timeouts (408) and
 * unparseable requests (400) from the socket: both with a plain JSON body of their own unless told
 * otherwise (Fastify's `frameworkErrors` and `clientErrorHandler` options).
 */

/** Fastify's `frameworkErrors`: router errors, answered with the security headers hooks would have added. */
export function answerFrameworkError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  const { problem, headers } = toProblem(error);
  if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: problem.code, status: problem.status }, problem.detail ?? problem.title);
  void reply
    .code(problem.status)
    .headers({ ...apiSecurityHeaders(), ...headers, 'x-request-id': request.id })
    .type(PROBLEM_CONTENT_TYPE)
    .send({ ...problem, instance: request.url });
}

/** The answers to the errors Node's HTTP parser raises on a connection (everything else is a 400). */
const ANSWER_OF_CLIENT_ERROR: Record<string, { code: ErrorCode; detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'REQUEST_TIMEOUT', detail: 'the request did not arrive in time' },
  HPE_HEADER_OVERFLOW: { code: 'HEADERS_TOO_LARGE', detail: 'the request headers are larger than the server accepts' },
};
const NOT_HTTP = { code: 'VALIDATION', detail: 'the request is not valid HTTP/1.1' } as const;

type ServerSocket = Socket & { _httpMessage?: { headersSent?: boolean } | null };

/**
 * Fastify's `clientErrorHandler` (the server's 'clientError' event): a problem+json answer on the raw
 * socket, then the connection is closed. Nothing is written when the peer is gone or a response has
 * already begun on the socket (Node's own rule: a second status line would corrupt it).
 */
export function answerClientError(this: FastifyInstance, error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const inFlight = (socket as ServerSocket)._httpMessage;
  if (!socket.writable || inFlight?.headersSent) {
    socket.destroy(error);
    return;
  }
  const { code, detail } = ANSWER_OF_CLIENT_ERROR[error.code ?? ''] ?? NOT_HTTP;
  const problem = problemOf(code, detail);
  const { status } = problem;
  const body = JSON.stringify(problem);
  const headers = {
    ...apiSecurityHeaders(),
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  this.log.debug({ err: error, status }, 'client error');
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('')}\r\n${body}`,
  );
}

/**
 * While the server closes, a request still arriving on a kept-alive connection is refused with a
 * problem+json 503 and `Connection: close` (Fastify's own `return503OnClosing` answer is plain JSON,
 * so the app turns it off). Returns whether the server is closing; the app's first hook asks it and
 * answers with `refuseWhileClosing`, so the check costs no hook of its own.
 */
export function trackClosing(app: FastifyInstance): () => boolean {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  return () => closing;
}

/** The 503 for a request that arrived while the server closes. */
export function refuseWhileClosing(request: FastifyRequest, reply: FastifyReply): void {
  void reply
    .code(503)
    .headers({ connection: 'close', 'retry-after': '1' })
    .type(PROBLEM_CONTENT_TYPE)
    .send({ ...problemOf('UNAVAILABLE', 'the service is shutting down: try again'), instance: request.url });
}
