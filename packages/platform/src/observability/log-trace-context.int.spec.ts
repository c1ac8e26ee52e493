/**
 * Log lines join traces: while tracing is on, a line written inside a span carries that span's
 * `trace_id` and `span_id` (the very ids the OTLP receiver gets for the span), after an await and
 * through child loggers too; a line outside any span carries none. With tracing off the logger has
 * no mixin at all, so a line costs what it did.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { trace } from '@opentelemetry/api';
import pino from 'pino';
import { loggerOptions } from './logger';
import { flushTracing, startTracing, stopTracing } from './tracing';

interface ExportedSpan {
  name: string;
  traceId: string;
  spanId: string;
}

/** An OTLP/HTTP trace receiver on a loopback port: keeps the spans the exporter posts (JSON) to /v1/traces. */
async function startReceiver(): Promise<{ endpoint: string; spans: ExportedSpan[]; server: Server }> {
  const spans: ExportedSpan[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const payload = JSON.parse(body || '{}') as { resourceSpans?: { scopeSpans?: { spans?: ExportedSpan[] }[] }[] };
      for (const resource of payload.resourceSpans ?? [])
        for (const scope of resource.scopeSpans ?? []) spans.push(...(scope.spans ?? []));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, server };
}

const endpointBefore = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;

afterAll(async () => {
  await stopTracing();
  receiver?.server.closeAllConnections();
  await new Promise((resolve) => (receiver ? receiver.server.close(resolve) : resolve(undefined)));
  if (endpointBefore === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = endpointBefore;
});

/** A service logger (loggerOptions as every service uses them) writing its JSON lines to memory. */
function capturedLogger(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const logger = pino(loggerOptions('log-trace-test', { level: 'info', pretty: false }), {
    write: (chunk: string) => void chunks.push(chunk),
  });
  return { logger, lines: () => chunks.map((chunk) => JSON.parse(chunk) as Record<string, unknown>) };
}

it('with tracing off, the logger has no mixin and lines carry no trace ids', async () => {
  expect(loggerOptions('log-trace-test', { level: 'info', pretty: false }).mixin).toBeUndefined();
  const { logger, lines } = capturedLogger();
  // The no-op tracer: a span that records nothing and has no valid ids.
  trace.getTracer('log-trace-test').startActiveSpan('untraced', (span) => {
    logger.info('inside a no-op span');
    span.end();
  });
  expect(lines()[0]).not.toHaveProperty('trace_id');
  expect(lines()[0]).not.toHaveProperty('span_id');
});

it('with tracing on, lines inside a span carry the ids the trace backend receives', async () => {
  receiver = await startReceiver();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.endpoint;
  expect(startTracing('log-trace-test')).toBeDefined();
  const { logger, lines } = capturedLogger();

  await trace.getTracer('log-trace-test').startActiveSpan('logged work', async (span) => {
    logger.info('inside');
    await nextTurn();
    logger.child({ reqId: 'r1' }).info({ step: 2 }, 'after an await, from a child logger');
    span.end();
  });
  logger.info('outside');

  const [inside, afterAwait, outside] = lines();
  // The flush resolves once the receiver has answered the export.
  await flushTracing();
  const received = receiver.spans.find((span) => span.name === 'logged work');
  if (!received) throw new Error(`span not exported; received: ${receiver.spans.map((span) => span.name).join(', ')}`);
  expect(inside).toMatchObject({
    msg: 'inside',
    trace_id: received.traceId,
    span_id: received.spanId,
    trace_flags: '01',
  });
  expect(afterAwait).toMatchObject({
    msg: 'after an await, from a child logger',
    reqId: 'r1',
    step: 2,
    trace_id: received.traceId,
    span_id: received.spanId,
  });
  expect(outside).toMatchObject({ msg: 'outside' });
  expect(outside).not.toHaveProperty('trace_id');
  expect(outside).not.toHaveProperty('span_id');
});
