/**
 * The Temporal header OpenTelemetry's interceptors carry the trace context in (`_tracer-data`, as
 * @temporalio/interceptors-opentelemetry names it). Its own file, free of imports, because workflow
 * sandbox code reads it too.
 */
export const TRACE_HEADER = '_tracer-data';
