/**
 * Workflow interceptors (bundled into every worker's workflow code: this runs in Temporal's
 * deterministic sandbox) that trace a workflow only when its start carried a trace context in its
 * headers. Headers are part of the history, so a replay takes the same path; a workflow nobody
 * traced (tracing off, or started outside any trace) pays one header lookup per call.
 *
 * The OpenTelemetry interceptors are required the first time a workflow is traced, not imported:
 * with `reuseV8Context`, Temporal evaluates the bundle's modules again for every workflow execution,
 * and OpenTelemetry's API, core and trace SDK are most of a worker's bundle.
 */
import type {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type {
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptors,
  WorkflowInternalsInterceptor,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { TRACE_HEADER } from './workflow-trace-header';

type OpenTelemetryWorkflowInterceptors = typeof import('@temporalio/interceptors-opentelemetry/lib/workflow');

/** The OpenTelemetry workflow interceptors, evaluated in this workflow's module cache on first use. */
const openTelemetry = (): OpenTelemetryWorkflowInterceptors =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy require on purpose (see above)
  require('@temporalio/interceptors-opentelemetry/lib/workflow') as OpenTelemetryWorkflowInterceptors;

/** Per workflow execution: the OpenTelemetry interceptors, created the first time something is traced. */
class WorkflowTracing {
  traced = false;
  private inboundInterceptor?: OpenTelemetryInboundInterceptor;
  private outboundInterceptor?: OpenTelemetryOutboundInterceptor;
  get inbound(): OpenTelemetryInboundInterceptor {
    return (this.inboundInterceptor ??= new (openTelemetry().OpenTelemetryInboundInterceptor)());
  }
  get outbound(): OpenTelemetryOutboundInterceptor {
    return (this.outboundInterceptor ??= new (openTelemetry().OpenTelemetryOutboundInterceptor)());
  }
  get used(): boolean {
    return this.inboundInterceptor !== undefined || this.outboundInterceptor !== undefined;
  }
}

export const interceptors = (): WorkflowInterceptors => {
  const tracing = new WorkflowTracing();
  const inbound: WorkflowInboundCallsInterceptor = {
    execute(input, next) {
      if (!input.headers[TRACE_HEADER]) return next(input);
      tracing.traced = true;
      return tracing.inbound.execute(input, next);
    },
    handleSignal(input, next) {
      return input.headers[TRACE_HEADER] ? tracing.inbound.handleSignal(input, next) : next(input);
    },
  };
  const outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity: (input, next) => (tracing.traced ? tracing.outbound.scheduleActivity(input, next) : next(input)),
    scheduleLocalActivity: (input, next) =>
      tracing.traced ? tracing.outbound.scheduleLocalActivity(input, next) : next(input),
    startChildWorkflowExecution: (input, next) =>
      tracing.traced ? tracing.outbound.startChildWorkflowExecution(input, next) : next(input),
    signalWorkflow: (input, next) => (tracing.traced ? tracing.outbound.signalWorkflow(input, next) : next(input)),
    continueAsNew: (input, next) => (tracing.traced ? tracing.outbound.continueAsNew(input, next) : next(input)),
    getLogAttributes: (input, next) => (tracing.traced ? tracing.outbound.getLogAttributes(input, next) : next(input)),
  };
  let otelInternals: OpenTelemetryInternalsInterceptor | undefined;
  const internals: WorkflowInternalsInterceptor = {
    dispose: (input, next) => {
      if (!tracing.used) return next(input);
      // The SDK calls dispose without awaiting it; OpenTelemetry's returns a promise that only ends spans.
      void (otelInternals ??= new (openTelemetry().OpenTelemetryInternalsInterceptor)()).dispose(input, next);
    },
  };
  return { inbound: [inbound], outbound: [outbound], internals: [internals] };
};
