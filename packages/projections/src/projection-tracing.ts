import { context, propagation, SpanStatusCode, trace, type Link } from '@opentelemetry/api';
import type { RecordedEvent } from '@gyroscops/event-store';

const tracer = trace.getTracer('@gyroscops/projections');

/** Past this many distinct traces a batch's span links only the first ones (span limits drop the rest anyway). */
const MAX_LINKS = 64;

/** Links to the traces that appended these events (their metadata's W3C `traceparent`), one per distinct span. */
function linksOf(events: RecordedEvent[]): Link[] {
  const seen = new Set<string>();
  const links: Link[] = [];
  for (const event of events) {
    const traceparent = event.metadata.traceparent;
    if (typeof traceparent !== 'string' || seen.has(traceparent)) continue;
    seen.add(traceparent);
    const spanContext = trace.getSpanContext(propagation.extract(context.active(), { traceparent }));
    if (spanContext && trace.isSpanContextValid(spanContext))
      links.push({ context: spanContext, attributes: { 'event.position': event.position.toString() } });
    if (links.length >= MAX_LINKS) break;
  }
  return links;
}

/**
 * Runs the application of a batch in a `projection apply <name>` span that links to the span of
 * every append the batch contains (a batch mixes many requests: links, as for a messaging batch,
 * rather than one parent). Nothing is traced for an empty batch, or when tracing is off.
 */
export async function traceProjectionApply<T>(
  projection: string,
  events: RecordedEvent[],
  apply: () => Promise<T>,
): Promise<T> {
  if (events.length === 0) return apply();
  const links = linksOf(events);
  return tracer.startActiveSpan(
    `projection apply ${projection}`,
    {
      links,
      attributes: {
        'projection.name': projection,
        'projection.events': events.length,
        'projection.first_position': events[0]!.position.toString(),
        'projection.last_position': events[events.length - 1]!.position.toString(),
      },
    },
    async (span) => {
      try {
        return await apply();
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
