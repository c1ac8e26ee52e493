import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isTracingEnabled } from './tracing';

const tracer = trace.getTracer('@gyroscops/platform/http');
const spans = new WeakMap<FastifyRequest, Span>();

/** Requests that would only add noise to traces: probes and scrapes. */
const UNTRACED = /^\/(health\/|metrics$|docs|openapi\.json$)/;

/**
 * One SERVER span per request, continuing the caller's W3C `traceparent` and named after the route
 * pattern (`POST /payments`). The span becomes the active context for the handler (entered in
 * preHandler, after the body is parsed: body streams would lose it), so the Temporal client's spans,
 * and through them the workflow's, are its children. Adds no hook when tracing is off.
 */
export const httpTracing = fp(
  async (app: FastifyInstance) => {
    if (!isTracingEnabled()) return;
    app.addHook('onRequest', (request, _reply, done) => {
      const path = request.url.split('?')[0] ?? '/';
      if (UNTRACED.test(path)) return done();
      const parent = propagation.extract(context.active(), request.headers);
      const route = request.routeOptions.url;
      const span = tracer.startSpan(
        route ? `${request.method} ${route}` : request.method,
        {
          kind: SpanKind.SERVER,
          attributes: {
            [ATTR_HTTP_REQUEST_METHOD]: request.method,
            [ATTR_URL_PATH]: path,
            ...(route ? { [ATTR_HTTP_ROUTE]: route } : {}),
          },
        },
        parent,
      );
      spans.set(request, span);
      done();
    });
    app.addHook('preHandler', (request, _reply, done) => {
      const span = spans.get(request);
      if (!span) return done();
      context.with(trace.setSpan(context.active(), span), done);
    });
    app.addHook('onResponse', (request, reply, done) => {
      const span = spans.get(request);
      if (span) {
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, reply.statusCode);
        if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        spans.delete(request);
      }
      done();
    });
    app.addHook('onRequestAbort', (request, done) => {
      const span = spans.get(request);
      if (span) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'client aborted' });
        span.end();
        spans.delete(request);
      }
      done();
    });
  },
  { name: 'http-tracing' },
);
