import { trace } from '@opentelemetry/api';
import type { ClientInterceptors, WorkflowClientInterceptor } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import { isTracingEnabled } from '../observability/tracing';

type Intercepted = 'start' | 'startWithDetails' | 'signal' | 'signalWithStart' | 'startUpdate' | 'startUpdateWithStart';
const INTERCEPTED: readonly Intercepted[] = [
  'start',
  'startWithDetails',
  'signal',
  'signalWithStart',
  'startUpdate',
  'startUpdateWithStart',
];

/**
 * Temporal's OpenTelemetry client interceptor, engaged only inside a trace: a workflow started or
 * signalled while handling a request (or an activity) carries the context in its headers, one
 * started from nowhere (the projection workflows at start-up, a script) starts no trace, so a
 * long-lived workflow never grows one endless trace.
 */
export function withinTraceOnly(inner: WorkflowClientInterceptor): WorkflowClientInterceptor {
  const interceptor: Record<string, unknown> = {};
  for (const method of INTERCEPTED) {
    const traced = inner[method] as
      ((input: unknown, next: (input: unknown) => Promise<unknown>) => Promise<unknown>) | undefined;
    if (!traced) continue;
    interceptor[method] = (input: unknown, next: (input: unknown) => Promise<unknown>) =>
      trace.getActiveSpan()?.isRecording() ? traced.call(inner, input, next) : next(input);
  }
  return interceptor as WorkflowClientInterceptor;
}

/**
 * The interceptors a Temporal client needs to carry trace context into workflows: none when tracing
 * is off (no header is added to any call).
 */
export function temporalClientInterceptors(): ClientInterceptors {
  if (!isTracingEnabled()) return {};
  return { workflow: [withinTraceOnly(new OpenTelemetryWorkflowClientInterceptor())] };
}
