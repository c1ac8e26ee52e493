/**
 * The contract, end to end: every operation of both committed OpenAPI documents is called at least
 * once through the generated clients (@gyroscops/api-client) against the running stack, and every
 * status it answered is one its operation documents. The list of operations comes from the
 * documents themselves, so a route added to an API without a call here fails the last test.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Middleware } from '@gyroscops/api-client';
import { PROJECTIONS } from '@gyroscops/contracts';
import { answer, apiClients, grantOrganizations, ran, type ApiClients } from './support/http-client';
import { startTestStack, type TestStack } from './support/test-stack';

type ApiName = 'command-api' | 'query-api';
interface Operation {
  operationId: string;
  responses: Record<string, unknown>;
}

const DOCUMENTS_DIR = join(__dirname, '..', '..', '..', 'packages', 'api-client', 'openapi');
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);

/** `<api> <METHOD> <path template>` → the documented operation, for both committed documents. */
const documented = new Map<string, Operation>();
for (const api of ['command-api', 'query-api'] as const) {
  const document = JSON.parse(readFileSync(join(DOCUMENTS_DIR, `${api}.json`), 'utf8')) as {
    paths: Record<string, Record<string, Operation>>;
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item))
      if (HTTP_METHODS.has(method)) documented.set(`${api} ${method.toUpperCase()} ${path}`, operation);
  }
}

/** Statuses seen per operation key, filled by the clients' middleware as requests come back. */
const exercised = new Map<string, number[]>();
const recorder = (api: ApiName): Middleware => ({
  onResponse({ request, response, schemaPath }) {
    const key = `${api} ${request.method} ${schemaPath}`;
    exercised.set(key, [...(exercised.get(key) ?? []), response.status]);
    return undefined;
  },
});
function recorded(clients: ApiClients): ApiClients {
  clients.command.use(recorder('command-api'));
  clients.query.use(recorder('query-api'));
  return clients;
}

let stack: TestStack;
let api: ApiClients;
let anonymous: ApiClients;
// A lower-case UUID: the one spelling an organization's billing has.
const org = grantOrganizations(randomUUID());
const wait = (position: string) => ({ 'x-min-position': position, 'x-wait-ms': '10000' });

beforeAll(async () => {
  stack = await startTestStack({ withQueryWorker: true });
  api = recorded(apiClients(stack));
  anonymous = recorded(apiClients(stack, { anonymous: true }));
  // Generous: three workflow bundles are built on a machine shared with other test runs.
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

describe('every operation through the generated clients', () => {
  it('health, readiness and metrics of both APIs, without a token', async () => {
    const { command, query } = anonymous;
    for (const probe of [
      await command.GET('/health/live'),
      await command.GET('/health/ready'),
      await query.GET('/health/live'),
      await query.GET('/health/ready'),
    ]) {
      expect(probe.response.status).toBe(200);
    }
    for (const metrics of [
      await command.GET('/metrics', { parseAs: 'text' }),
      await query.GET('/metrics', { parseAs: 'text' }),
    ]) {
      expect(metrics.response.status).toBe(200);
      expect(metrics.data).toMatch(/^# HELP /);
    }
  });

  it('a payment through every command and every payment, event and statistics query', async () => {
    const correlationId = randomUUID();
    const created = await api.command.POST('/payments', {
      body: {
        organizationId: org,
        amount: '40.00',
        currency: 'EUR',
        description: 'contract',
        metadata: { order: 'C-1' },
      },
      params: { header: { 'idempotency-key': randomUUID() } },
      headers: { 'x-correlation-id': correlationId },
    });
    expect(created.response.status).toBe(201);
    const payment = ran(created);
    expect(payment).toMatchObject({ status: 'processed', version: 2 });

    const status = await api.command.GET('/commands/{commandId}', {
      params: { path: { commandId: payment.commandId } },
    });
    expect(status.data).toMatchObject({ commandId: payment.commandId, state: 'completed' });

    const updated = await api.command.PATCH('/payments/{paymentId}', {
      params: { path: { paymentId: payment.paymentId }, header: { 'if-match': '"2"' } },
      body: { description: 'renamed' },
    });
    expect(updated.data).toMatchObject({ version: 3 });
    const refunded = await api.command.POST('/payments/{paymentId}/refunds', {
      params: { path: { paymentId: payment.paymentId } },
      body: { amount: '10.00', reason: 'contract' },
    });
    expect(refunded.response.status).toBe(201);
    const position = ran(refunded).position;

    const view = await api.query.GET('/payments/{paymentId}', {
      params: { path: { paymentId: payment.paymentId }, header: wait(position) },
    });
    expect(view.data).toMatchObject({
      paymentId: payment.paymentId,
      status: 'partially_refunded',
      refundedAmount: '10.00',
      description: 'renamed',
    });
    const history = await api.query.GET('/payments/{paymentId}/history', {
      params: { path: { paymentId: payment.paymentId }, header: wait(position) },
    });
    expect(history.data?.items.map((event) => event.type)).toEqual([
      'PaymentInitiated',
      'PaymentProcessed',
      'PaymentUpdated',
      'RefundRequested',
      'PaymentRefunded',
    ]);
    const search = await api.query.GET('/payments', {
      params: { query: { organizationId: org, status: ['partially_refunded'] }, header: wait(position) },
    });
    expect(search.data?.items.map((item) => item.paymentId)).toEqual([payment.paymentId]);
    const events = await api.query.GET('/events', {
      params: { query: { organizationId: org, type: ['PaymentRefunded'] }, header: wait(position) },
    });
    expect(events.data?.items).toHaveLength(1);
    const timeline = await api.query.GET('/timeline/{correlationId}', {
      params: { path: { correlationId }, header: wait(position) },
    });
    expect(timeline.data?.items.map((event) => event.type)).toEqual(['PaymentInitiated', 'PaymentProcessed']);
    const statistics = await api.query.GET('/statistics/payments', {
      params: { query: { organizationId: org }, header: wait(position) },
    });
    expect(statistics.response.status).toBe(200);
    const day = 86_400_000;
    const analytics = await api.query.GET('/analytics/events', {
      params: {
        query: {
          from: new Date(Date.now() - day).toISOString(),
          to: new Date(Date.now() + day).toISOString(),
          interval: 'day',
        },
        header: wait(position),
      },
    });
    expect(analytics.response.status).toBe(200);

    const deleted = await api.command.DELETE('/payments/{paymentId}', {
      params: { path: { paymentId: payment.paymentId }, header: { 'if-match': '"5"' } },
    });
    expect(deleted.data).toMatchObject({ status: 'deleted', version: 6 });
  });

  it('a billing plan, then a usage batch', async () => {
    const plan = await api.command.PUT('/organizations/{organizationId}/billing-plan', {
      params: { path: { organizationId: org } },
      body: { currency: 'EUR', cycle: 'P1M', meters: { cpu_seconds: { unitPrice: '0.000012', aggregation: 'sum' } } },
    });
    expect(plan.response.status).toBe(200);
    expect(plan.data).toMatchObject({ organizationId: org, version: 1 });
    const record = {
      recordId: randomUUID(),
      organizationId: org,
      meter: 'cpu_seconds',
      quantity: '3600',
      occurredAt: new Date().toISOString(),
    };
    const usage = await api.command.POST('/usage', { body: { records: [record] } });
    expect(usage.response.status).toBe(202);
    expect(usage.data).toMatchObject({ accepted: 1, duplicates: 0 });
    const again = await api.command.POST('/usage', { body: { records: [record] } });
    expect(again.data).toMatchObject({ accepted: 0, duplicates: 1 });
  });

  it('the payment method and the invoice commands', async () => {
    const method = await api.command.PUT('/organizations/{organizationId}/payment-method', {
      params: { path: { organizationId: org } },
      body: { metadata: { card: 'visa-4242' } },
    });
    expect(method.response.status).toBe(200);
    expect(method.data).toMatchObject({ organizationId: org, version: 1 });
    const invoiceId = randomUUID();
    const pay = await api.command.POST('/invoices/{invoiceId}/pay', { params: { path: { invoiceId } } });
    expect(pay.response.status).toBe(404);
    const voided = await api.command.POST('/invoices/{invoiceId}/void', {
      params: { path: { invoiceId } },
      body: { reason: 'billed by mistake' },
    });
    expect(voided.response.status).toBe(404);
  });

  it("an organization's billing and its invoices", async () => {
    // Billing keys streams by organization id: a UUID organization of its own.
    const billed = grantOrganizations(randomUUID());
    const plan = await api.command.PUT('/organizations/{organizationId}/billing-plan', {
      params: { path: { organizationId: billed } },
      body: { currency: 'EUR', cycle: 'P1M', meters: { cpu_seconds: { unitPrice: '0.000012', aggregation: 'sum' } } },
    });
    expect(plan.response.status).toBe(200);
    const position = ran(plan).position;
    const organization = await api.query.GET('/organizations/{organizationId}', {
      params: { path: { organizationId: billed }, header: wait(position) },
    });
    expect(organization.response.status).toBe(200);
    expect(organization.data).toMatchObject({ organizationId: billed, status: 'active', outstanding: '0.00' });
    const invoices = await api.query.GET('/invoices', {
      params: { query: { organizationId: billed }, header: wait(position) },
    });
    expect(invoices.data).toMatchObject({ items: [], nextCursor: null, total: 0 });
    const unknown = await answer(
      api.query.GET('/invoices/{invoiceId}', { params: { path: { invoiceId: randomUUID() }, header: wait(position) } }),
    );
    expect(unknown.status).toBe(404);
  });

  it("an admin's close of a billing cycle", async () => {
    const organizationId = grantOrganizations(randomUUID());
    const plan = await api.command.PUT('/organizations/{organizationId}/billing-plan', {
      params: { path: { organizationId } },
      body: { currency: 'EUR', cycle: 'P1M', baseFee: '5.00', meters: {} },
    });
    expect(plan.response.status).toBe(200);
    const closed = await api.command.POST('/organizations/{organizationId}/billing-cycle/close', {
      params: { path: { organizationId } },
    });
    expect(closed.response.status).toBe(202);
    expect(closed.data).toMatchObject({ organizationId, cycleSequence: 1, invoiceId: expect.any(String) });
  });

  it("an organization's usage series, and payment and revenue analytics", async () => {
    const metered = grantOrganizations(randomUUID());
    const plan = await api.command.PUT('/organizations/{organizationId}/billing-plan', {
      params: { path: { organizationId: metered } },
      body: { currency: 'EUR', cycle: 'P1M', meters: { cpu_seconds: { unitPrice: '0.000012', aggregation: 'sum' } } },
    });
    expect(plan.response.status).toBe(200);
    const occurredAt = new Date();
    const usage = await api.command.POST('/usage', {
      body: {
        records: ['0.1', '0.2'].map((quantity) => ({
          recordId: randomUUID(),
          organizationId: metered,
          meter: 'cpu_seconds',
          quantity,
          occurredAt: occurredAt.toISOString(),
        })),
      },
    });
    const range = {
      from: new Date(occurredAt.getTime() - 86_400_000).toISOString(),
      to: new Date(occurredAt.getTime() + 86_400_000).toISOString(),
    };
    const series = await api.query.GET('/organizations/{organizationId}/usage', {
      params: {
        path: { organizationId: metered },
        query: { ...range, interval: 'month' },
        header: wait(ran(usage).position),
      },
    });
    expect(series.response.status).toBe(200);
    expect(series.data?.series).toEqual([
      { meter: 'cpu_seconds', aggregation: 'sum', buckets: [{ start: expect.any(String), quantity: '0.3' }] },
    ]);
    const payments = await api.query.GET('/analytics/payments', {
      params: { query: { ...range, interval: 'day', currency: 'EUR' } },
    });
    expect(payments.response.status).toBe(200);
    expect(payments.data).toMatchObject({ organizationId: null, interval: 'day' });
    const revenue = await api.query.GET('/analytics/revenue', {
      params: { query: { ...range, organizationId: metered } },
    });
    expect(revenue.response.status).toBe(200);
    expect(revenue.data).toMatchObject({ organizationId: metered, interval: 'month', currencies: {} });
    const backwards = await answer(
      api.query.GET('/analytics/revenue', { params: { query: { from: range.to, to: range.from } } }),
    );
    expect(backwards.status).toBe(400);
  });

  it('a report, requested then read', async () => {
    const range = {
      from: new Date(Date.now() - 86_400_000).toISOString(),
      to: new Date(Date.now() + 86_400_000).toISOString(),
    };
    const requested = await api.query.POST('/reports', {
      body: { kind: 'payment-statistics', organizationId: org, ...range },
    });
    expect(requested.response.status).toBe(202);
    expect(requested.response.headers.get('location')).toBe(`/reports/${requested.data!.reportId}`);
    const report = await api.query.GET('/reports/{reportId}', {
      params: { path: { reportId: requested.data!.reportId } },
    });
    expect(report.response.status).toBe(200);
    expect(['running', 'completed']).toContain(report.data?.state);
  });

  it('projection status and every admin action, and the cache statistics', async () => {
    const projections = await api.query.GET('/projections');
    expect(projections.data?.items.map((item) => item.name)).toContain(PROJECTIONS.eventCounts);
    const name = PROJECTIONS.eventCounts;
    for (const action of [
      () => api.query.POST('/projections/{name}/resume', { params: { path: { name } } }),
      () => api.query.POST('/projections/{name}/dead-letters/retry', { params: { path: { name } } }),
      () => api.query.POST('/projections/{name}/rebuild', { params: { path: { name } } }),
    ]) {
      const accepted = await action();
      expect(accepted.response.status).toBe(202);
      expect(accepted.data?.projection).toBe(name);
    }
    const cache = await api.query.GET('/cache/stats');
    expect(cache.response.status).toBe(200);
    expect(cache.data?.l1).toEqual(expect.objectContaining({ hits: expect.any(Number) }));
  });

  it('problems come back typed as problem+json', async () => {
    const unknown = await answer(
      api.query.GET('/payments/{paymentId}', { params: { path: { paymentId: randomUUID() } } }),
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ status: 404, type: expect.any(String), title: expect.any(String) });
    const noToken = await anonymous.command.GET('/commands/{commandId}', {
      params: { path: { commandId: randomUUID() } },
    });
    expect(noToken.response.status).toBe(401);
    expect(noToken.error).toMatchObject({ status: 401 });
  });

  it('left no documented operation out, and every status seen is documented', () => {
    const missing = [...documented.keys()].filter((key) => !exercised.has(key));
    expect(missing).toEqual([]);
    const undocumented = [...exercised].flatMap(([key, statuses]) => {
      const operation = documented.get(key);
      if (!operation) return [`${key}: not in the documents`];
      return statuses
        .filter((status) => !(String(status) in operation.responses))
        .map((status) => `${key} (${operation.operationId}): ${status}`);
    });
    expect(undocumented).toEqual([]);
  });
});
