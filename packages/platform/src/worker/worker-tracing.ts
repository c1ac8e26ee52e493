import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import type {
  ActivityInboundCallsInterceptor,
  ActivityInterceptorsFactory,
  InjectedSinks,
  WorkerInterceptors,
} from '@temporalio/worker';
import { tracingSetup } from '../observability/tracing';
import { TRACE_HEADER } from './workflow-trace-header';

type ActivityContext = Parameters<ActivityInterceptorsFactory>[0];

/** Runs an activity in a span under the workflow that scheduled it, only when that workflow is traced. */
class TracedActivityInbound implements ActivityInboundCallsInterceptor {
  private readonly traced: OpenTelemetryActivityInboundInterceptor;
  constructor(ctx: ActivityContext) {
    this.traced = new OpenTelemetryActivityInboundInterceptor(ctx);
  }
  execute: ActivityInboundCallsInterceptor['execute'] = (input, next) =>
    input.headers[TRACE_HEADER] ? this.traced.execute(input, next) : next(input);
}

/**
 * What a worker adds to its options for tracing: the activity interceptors (an activity continues
 * the trace its workflow carries) and the `exporter` sink through which the workflow sandbox ships
 * its spans to this process's span processor. The sink is registered with tracing off too (it then
 * drops spans): a workflow started by a traced client must not make the worker log an unknown sink.
 */
export function workerTracingOptions(): { interceptors: WorkerInterceptors; sinks: InjectedSinks<OpenTelemetrySinks> } {
  const setup = tracingSetup();
  if (!setup) return { interceptors: {}, sinks: { exporter: { export: { fn: () => undefined } } } };
  const activity: ActivityInterceptorsFactory = (ctx) => ({
    inbound: new TracedActivityInbound(ctx),
    outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
  });
  return {
    interceptors: { activity: [activity] },
    sinks: { exporter: makeWorkflowExporter(setup.spanProcessor, setup.resource) },
  };
}
