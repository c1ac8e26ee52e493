import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { StreamVersionConflictError } from './errors';
import type { AppendRequest } from './recorded-event';

const tracer = trace.getTracer('@gyroscops/event-store');

/** The W3C `traceparent` of a span: version 00, trace id, span id, flags. */
const traceparentOf = (span: Span): string | undefined => {
  const { traceId, spanId, traceFlags } = span.spanContext();
  return trace.isSpanContextValid(span.spanContext())
    ? `00-${traceId}-${spanId}-0${(traceFlags & 0xff).toString(16)}`
    : undefined;
};

const stampable = (metadata: unknown): metadata is Record<string, unknown> =>
  typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata) && !('traceparent' in metadata);

/**
 * Runs an append in an `event-store append` span and stamps the span's W3C `traceparent` into the
 * metadata of every event (unless the caller set one), so whoever applies the events later (the
 * projections) can link its work to the request that caused them. With tracing off the span is the
 * no-op one: the request passes through untouched.
 */
export async function traceAppend<T>(
  request: AppendRequest,
  append: (request: AppendRequest) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(
    'event-store append',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system': 'postgresql',
        'event_store.stream_id': request.streamId,
        'event_store.events': request.events.length,
      },
    },
    async (span) => {
      const traceparent = span.isRecording() ? traceparentOf(span) : undefined;
      // Malformed requests pass through as they are: the append's validation names what is wrong.
      const stamped: AppendRequest =
        traceparent && Array.isArray(request.events)
          ? {
              ...request,
              events: request.events.map((event) =>
                stampable(event.metadata) ? { ...event, metadata: { ...event.metadata, traceparent } } : event,
              ),
            }
          : request;
      try {
        return await append(stamped);
      } catch (error) {
        // A lost optimistic-concurrency race is an answer, not a failure.
        if (error instanceof StreamVersionConflictError) span.setAttribute('event_store.conflict', true);
        else span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
