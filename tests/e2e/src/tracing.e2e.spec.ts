/**
 * Tracing end to end: with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a local OTLP/HTTP receiver, one
 * POST /payments yields one trace from the command-api's server span through the Temporal client,
 * the command workflow and its activities to the event-store append, and the projection span that
 * applies the events links to it (its context travels in the events' metadata).
 */
import { randomUUID } from 'node:crypto';
import { paymentStreamId } from '@gyroscops/contracts';
import { readStream } from '@gyroscops/event-store';
import { flushTracing, startTracing, stopTracing } from '@gyroscops/platform';
import { answer, apiClients, grantOrganizations, type ApiClients } from './support/http-client';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver';
import { startTestStack, type TestStack } from './support/test-stack';

/** OTLP numbers span kinds from 1 (INTERNAL); SERVER is 2. */
const OTLP_SPAN_KIND_SERVER = 2;

let receiver: OtlpReceiver;
let stack: TestStack;
let api: ApiClients;
const endpointBefore = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
const org = grantOrganizations(`org-${randomUUID().slice(0, 8)}`);

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.endpoint;
  expect(startTracing('e2e')).toBeDefined();
  stack = await startTestStack();
  api = apiClients(stack);
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await stopTracing();
  await receiver?.close();
  if (endpointBefore === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = endpointBefore;
});

/** Flushes the span processor until `found` holds over what the receiver got (workflow spans arrive through a sink, after the answer). */
async function eventually<T>(found: (spans: ReceivedSpan[]) => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await flushTracing();
    const result = found(receiver.spans);
    if (result !== undefined) return result;
    if (Date.now() > deadline)
      throw new Error(`spans not found; received: ${receiver.spans.map((span) => span.name).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

it('follows a payment from the API through the workflow, its activities and the event store to the projection', async () => {
  const created = await answer(
    api.command.POST('/payments', { body: { organizationId: org, amount: '12.50', currency: 'EUR' } }),
  );
  expect(created.status).toBe(201);
  const { paymentId, position } = created.body as { paymentId: string; position: string };

  // The API's server span roots the trace.
  const server = await eventually((spans) =>
    spans.find((span) => span.name === 'POST /payments' && span.kind === OTLP_SPAN_KIND_SERVER),
  );
  const traceId = server.traceId;
  const inTrace = (spans: ReceivedSpan[], name: RegExp) =>
    spans.filter((span) => span.traceId === traceId && name.test(span.name));

  // Client → workflow → activities → event store, all in that trace.
  const chain = await eventually((spans) => {
    // The command-api starts the command and asks for its answer in one call (Update-with-Start).
    const start = inTrace(spans, /^UpdateWithStartWorkflow:commandResult$/)[0];
    const run = inTrace(spans, /^RunWorkflow:paymentCommandWorkflow$/)[0];
    const activities = inTrace(spans, /^RunActivity:/);
    const appends = inTrace(spans, /^event-store append$/);
    return start && run && activities.length > 0 && appends.length > 0
      ? { start, run, activities, appends }
      : undefined;
  });
  expect(chain.start.parentSpanId).toBe(server.spanId);
  expect(chain.start.service).toBe('e2e');
  expect(chain.run.parentSpanId).toBe(chain.start.spanId);
  expect(
    chain.appends.every((append) => chain.activities.some((activity) => activity.spanId === append.parentSpanId)),
  ).toBe(true);

  // Each stored event names the append span that wrote it...
  const events = await readStream(stack.eventStore, paymentStreamId(paymentId));
  expect(events.length).toBeGreaterThanOrEqual(2);
  for (const event of events) {
    const traceparent = String(event.metadata.traceparent ?? '');
    expect(traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(chain.appends.map((append) => append.spanId)).toContain(traceparent.split('-')[2]);
  }

  // ...and the span of the projection that applied them links back to the request's trace.
  const view = await answer(
    api.query.GET('/payments/{paymentId}', { params: { path: { paymentId }, header: { 'x-min-position': position } } }),
  );
  expect(view.status).toBe(200);
  const projection = await eventually((spans) =>
    spans.find(
      (span) => span.name === 'projection apply payments' && span.links.some((link) => link.traceId === traceId),
    ),
  );
  const linkedSpans = projection.links.filter((link) => link.traceId === traceId).map((link) => link.spanId);
  expect(chain.appends.map((append) => append.spanId)).toEqual(expect.arrayContaining(linkedSpans));
}, 120_000);
