import { context, propagation, trace, type Context, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/** What a started tracing setup keeps: the worker's workflow-span exporter needs the processor and resource. */
export interface TracingSetup {
  service: string;
  provider: NodeTracerProvider;
  spanProcessor: SpanProcessor;
  resource: Resource;
}

let current: TracingSetup | undefined;

/** The OTLP endpoint the standard variables name, or undefined when tracing is off. */
export function otlpTracesEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return value && env.OTEL_SDK_DISABLED !== 'true' ? value : undefined;
}

/**
 * Starts OpenTelemetry tracing for this process when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set: spans go over OTLP/HTTP (JSON) in batches, context
 * travels as W3C `traceparent`. Without it nothing starts: the API stays the OpenTelemetry no-op,
 * so every span the code asks for costs a function call. Call it first thing in a service's main.
 * Idempotent: a second call returns the first setup.
 */
export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): TracingSetup | undefined {
  if (current) return current;
  if (!otlpTracesEndpoint(env)) return undefined;
  const resource = new Resource({ [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME || service });
  // The exporter reads the endpoint, headers and timeout from the standard OTEL_EXPORTER_OTLP_* variables.
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // The AsyncLocalStorage context manager and the W3C trace-context + baggage propagators.
  provider.register();
  current = { service, provider, spanProcessor, resource };
  // The batch processor's timer does not hold the process: send what is left when it winds down.
  process.once('beforeExit', () => void flushTracing().catch(() => undefined));
  return current;
}

/** The running setup, or undefined when tracing is off. */
export function tracingSetup(): TracingSetup | undefined {
  return current;
}

export function isTracingEnabled(): boolean {
  return current !== undefined;
}

/** Sends the spans still buffered (tests, and before a process exits). */
export async function flushTracing(): Promise<void> {
  await current?.provider.forceFlush();
}

/** Flushes and stops tracing; the global API falls back to the no-op. */
export async function stopTracing(): Promise<void> {
  const setup = current;
  if (!setup) return;
  current = undefined;
  await setup.provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
}

/** The ids a log line carries inside a trace, named as OpenTelemetry's log data model names them. */
export interface LogTraceFields {
  trace_id: string;
  span_id: string;
  trace_flags: string;
}

/**
 * The active span's ids for a log line (a pino `mixin`), or an empty object outside any span. A new
 * object each time: pino merges the line's own fields into what the mixin returns.
 */
export function activeSpanLogFields(): LogTraceFields | Record<string, never> {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return {};
  return {
    trace_id: spanContext.traceId,
    span_id: spanContext.spanId,
    trace_flags: `0${spanContext.traceFlags.toString(16)}`,
  };
}

/** The W3C `traceparent` of a span (or of the active one), or undefined outside any sampled trace. */
export function traceparentOf(span: Span | undefined = trace.getActiveSpan()): string | undefined {
  const spanContext = span?.spanContext();
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpanContext(context.active(), spanContext), carrier);
  return carrier.traceparent;
}

/** The context a stored `traceparent` names, for a span that links to (or continues) it. */
export function contextOfTraceparent(traceparent: string): Context {
  return propagation.extract(context.active(), { traceparent });
}
