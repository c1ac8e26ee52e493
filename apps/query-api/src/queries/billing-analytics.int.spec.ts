/**
 * `GET /analytics/payments` and `GET /analytics/revenue` over HTTP, on real Postgres and Redis:
 * payment and invoice streams decided by the domain and appended to the event store, applied by the
 * real projections, invalidated and announced as the projection worker does. Scope (403 for another
 * organization, 400 without one unless admin), bad input (400 problem+json, nothing changed), UTC
 * buckets, exact amounts, read-your-writes and cache invalidation for one organization and for all.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type Redis from 'ioredis';
import { invalidateTags, tagsOfChanges } from '@gyroscops/cache';
import { INVOICE_STREAM_TYPE, invoiceStreamId, PAYMENT_STREAM_TYPE, paymentStreamId } from '@gyroscops/contracts';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import {
  decide,
  decideInvoice,
  foldInvoice,
  foldPayment,
  isDomainError,
  type InvoiceCommand,
  type InvoiceEvent,
  type PaymentCommand,
  type PaymentEvent,
} from '@gyroscops/domain';
import { appendToStream, eventStoreMigrations, type EventStoreDb } from '@gyroscops/event-store';
import {
  createDatabase,
  createMetricsRegistry,
  createRedis,
  DEV_JWT_SECRET,
  mintToken,
  runMigrations,
  withTablesOf,
  type HttpApp,
} from '@gyroscops/platform';
import {
  announceBatch,
  applyNextBatch,
  ensureCheckpoint,
  projectionMigrations,
  ProjectionPositionTracker,
  type Projection,
  type ProjectionTables,
} from '@gyroscops/projections';
import {
  paymentAnalyticsProjection,
  readModelMigrations,
  revenueAnalyticsProjection,
  type PaymentReadTables,
} from '@gyroscops/read-models';
import { buildQueryApi } from '../app';
import { DEFAULT_CACHE_SETTINGS } from '../query-bus/cache-settings';

let env: TestEnvironment;
let readDb: Kysely<ProjectionTables>;
let eventStore: EventStoreDb;
let publisher: Redis;
let app: HttpApp;
const closers: (() => Promise<unknown> | void)[] = [];

beforeAll(async () => {
  env = await createTestEnvironment();
  readDb = createDatabase({ url: env.readDatabaseUrl });
  eventStore = createDatabase({ url: env.eventStoreDatabaseUrl });
  await runMigrations(eventStore, eventStoreMigrations);
  await runMigrations(readDb, projectionMigrations);
  await runMigrations(readDb, readModelMigrations);
  for (const projection of [paymentAnalyticsProjection, revenueAnalyticsProjection])
    await ensureCheckpoint(readDb, projection.name, projection.version);

  const config = { url: env.redisUrl, keyPrefix: env.redisPrefix };
  const redis = createRedis(config, { name: 'analytics-test-cache', commandTimeoutMs: 500 });
  const subscriber = createRedis(config, { name: 'analytics-test-subscriber', offlineQueue: true });
  publisher = createRedis(config, { name: 'analytics-test-publisher' });
  const tracker = new ProjectionPositionTracker(readDb, subscriber, env.redisPrefix);
  await tracker.start();
  app = await buildQueryApi({
    auth: { kind: 'secret', secret: DEV_JWT_SECRET },
    readDb: withTablesOf<PaymentReadTables>(readDb),
    eventStore,
    redis,
    subscriber,
    tracker,
    log: { level: 'silent', pretty: false },
    metrics: createMetricsRegistry('query-api'),
    consistency: { defaultWaitMs: 2_000, maxWaitMs: 10_000 },
    cache: { keyPrefix: env.redisPrefix, ...DEFAULT_CACHE_SETTINGS },
  });
  closers.push(async () => {
    await app.close();
    tracker.stop();
    redis.disconnect();
    subscriber.disconnect();
    publisher.disconnect();
  });
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await Promise.all([readDb?.destroy(), eventStore?.destroy()]);
  await env?.dispose();
});

const orgA = `org-a-${randomUUID()}`;
const orgB = `org-b-${randomUUID()}`;

/** A payment created at `createdAt`, approved or declined, decided by the domain and appended; answers its last position. */
async function payment(organizationId: string, createdAt: string, amount: string, outcome: 'approved' | 'declined') {
  const paymentId = randomUUID();
  const events: PaymentEvent[] = [];
  const commands: PaymentCommand[] = [
    {
      type: 'CreatePayment',
      data: { paymentId, organizationId, userId: 'user-1', amount, currency: 'EUR', description: null, metadata: {} },
    },
    outcome === 'approved'
      ? { type: 'RecordChargeResult', data: { paymentId, outcome, gatewayReference: `sim_${randomUUID()}` } }
      : { type: 'RecordChargeResult', data: { paymentId, outcome, reason: 'card_declined' } },
  ];
  let position = 0n;
  for (const command of commands) {
    const state = foldPayment(events);
    const decision = decide(state, command, createdAt);
    if (isDomainError(decision)) throw decision;
    position = (
      await appendToStream(eventStore, {
        streamId: paymentStreamId(paymentId),
        streamType: PAYMENT_STREAM_TYPE,
        expectedVersion: state.version === 0 ? 'no_stream' : state.version,
        events: decision.map((event) => ({
          eventId: randomUUID(),
          type: event.type,
          data: event.data,
          metadata: { organizationId },
        })),
      })
    ).lastPosition;
    events.push(...decision);
  }
  return position;
}

/** An invoice issued at `issuedAt` (one base-fee line), paid or left open; answers its last position. */
async function invoice(organizationId: string, issuedAt: string, total: string, paid: boolean, number: number) {
  const invoiceId = randomUUID();
  const paymentId = randomUUID();
  const events: InvoiceEvent[] = [];
  const commands: InvoiceCommand[] = [
    {
      type: 'IssueInvoice',
      data: {
        invoiceId,
        organizationId,
        number: `2026-${String(number).padStart(6, '0')}`,
        cycleSequence: number,
        currency: 'EUR',
        periodStart: '2026-01-01T00:00:00Z',
        periodEnd: '2026-02-01T00:00:00Z',
        lines: [{ kind: 'base_fee', meter: null, quantity: '1', unitPrice: total, amount: total, late: false }],
        total,
        dunning: ['P1D'],
      },
    },
    { type: 'StartInvoicePayment', data: { invoiceId, paymentId } },
    ...(paid
      ? [{ type: 'RecordInvoicePaymentResult', data: { invoiceId, paymentId, outcome: 'approved' } } as const]
      : []),
  ];
  let position = 0n;
  for (const command of commands) {
    const state = foldInvoice(events);
    const decision = decideInvoice(state, command, issuedAt);
    if (isDomainError(decision)) throw decision;
    position = (
      await appendToStream(eventStore, {
        streamId: invoiceStreamId(invoiceId),
        streamType: INVOICE_STREAM_TYPE,
        expectedVersion: state.version === 0 ? 'no_stream' : state.version,
        events: decision.map((event) => ({
          eventId: randomUUID(),
          type: event.type,
          data: event.data,
          metadata: { organizationId },
        })),
      })
    ).lastPosition;
    events.push(...decision);
  }
  return position;
}

/** What the projection worker does: apply batches, then per batch invalidate its cache tags and announce it. */
async function project(projection: Projection, position: bigint): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const batch = await applyNextBatch(readDb, eventStore, projection, 100);
    await invalidateTags(publisher, env.redisPrefix, tagsOfChanges(projection.name, batch.changes));
    await announceBatch(publisher, env.redisPrefix, {
      projection: projection.name,
      position: batch.position.toString(),
      changes: batch.changes,
    });
    if (batch.position >= position) return;
    if (Date.now() > deadline) throw new Error(`${projection.name} never reached ${position}`);
  }
}

const get = (
  url: string,
  query: Record<string, string>,
  claims: { orgs: string[]; roles?: string[] },
  headers: Record<string, string> = {},
) =>
  app.inject({
    method: 'GET',
    url,
    query,
    headers: { authorization: `Bearer ${mintToken(DEV_JWT_SECRET, { sub: 'user-1', ...claims })}`, ...headers },
  });
const user = { orgs: [orgA] };
const admin = { orgs: [], roles: ['admin'] };
const days = { from: '2026-02-01T00:00:00Z', to: '2026-02-03T00:00:00Z', interval: 'day' };

beforeAll(async () => {
  await payment(orgA, '2026-02-01T23:59:59.999Z', '0.10', 'approved');
  await payment(orgA, '2026-02-02T00:00:00.000Z', '0.20', 'approved');
  await payment(orgA, '2026-02-02T00:00:01.000Z', '1.00', 'declined');
  await project(paymentAnalyticsProjection, await payment(orgB, '2026-02-02T10:00:00.000Z', '7.00', 'approved'));
  await invoice(orgA, '2026-02-01T10:00:00Z', '10.01', true, 1);
  await invoice(orgA, '2026-02-02T10:00:00Z', '20.02', false, 2);
  await project(revenueAnalyticsProjection, await invoice(orgB, '2026-02-02T10:00:00Z', '99.00', true, 1));
});

const bucket = (
  start: string,
  count: number,
  amount: string,
  processed: number,
  processedAmount: string,
  failed: number,
) => ({
  start,
  currency: 'EUR',
  count,
  amount,
  processed,
  processedAmount,
  failed,
  refundedAmount: '0.00',
});

describe('GET /analytics/payments', () => {
  it("answers a user their organization's payments per UTC day, exactly", async () => {
    const response = await get('/analytics/payments', { ...days, organizationId: orgA }, user);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      organizationId: orgA,
      interval: 'day',
      buckets: [
        bucket('2026-02-01T00:00:00.000Z', 1, '0.10', 1, '0.10', 0),
        bucket('2026-02-02T00:00:00.000Z', 2, '1.20', 1, '0.20', 1),
      ],
    });
  });

  it('answers an admin every organization without organizationId, and any one organization with it', async () => {
    expect((await get('/analytics/payments', { ...days, interval: 'month' }, admin)).json()).toEqual({
      organizationId: null,
      interval: 'month',
      buckets: [bucket('2026-02-01T00:00:00.000Z', 4, '8.30', 3, '7.30', 1)],
    });
    expect((await get('/analytics/payments', { ...days, organizationId: orgB }, admin)).json().buckets).toEqual([
      bucket('2026-02-02T00:00:00.000Z', 1, '7.00', 1, '7.00', 0),
    ]);
  });

  it('answers 403 for an organization that is not the caller’s, and 400 without one for a non-admin', async () => {
    const forbidden = await get('/analytics/payments', { ...days, organizationId: orgB }, user);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.headers['content-type']).toMatch(/^application\/problem\+json/);
    const missing = await get('/analytics/payments', days, user);
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ code: 'VALIDATION', errors: [{ path: 'querystring:/organizationId' }] });
  });

  it('reads its writes: a new payment shows with X-Min-Position, for one organization and for all', async () => {
    const query = { ...days, interval: 'month' };
    const countOf = async (claims: typeof user, extra: Record<string, string>, headers: Record<string, string> = {}) =>
      (await get('/analytics/payments', { ...query, ...extra }, claims, headers)).json().buckets[0].count;
    expect(await countOf(user, { organizationId: orgA })).toBe(3);
    expect(await countOf(admin, {})).toBe(4);
    const position = await payment(orgA, '2026-02-02T12:00:00.000Z', '2.00', 'approved');
    const projected = project(paymentAnalyticsProjection, position);
    const minPosition = { 'x-min-position': position.toString() };
    expect(await countOf(user, { organizationId: orgA }, minPosition)).toBe(4);
    await projected;
    // Without the header too: the organization's tag, and the projection's for every organization, dropped the entries.
    expect(await countOf(user, { organizationId: orgA })).toBe(4);
    expect(await countOf(admin, {})).toBe(5);
  });
});

describe('GET /analytics/revenue', () => {
  it('answers per currency and UTC month what was invoiced, paid and outstanding, exactly', async () => {
    const response = await get('/analytics/revenue', { ...days, interval: 'month', organizationId: orgA }, user);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      organizationId: orgA,
      interval: 'month',
      currencies: {
        EUR: {
          buckets: [
            {
              start: '2026-02-01T00:00:00.000Z',
              count: 2,
              invoiced: '30.03',
              paid: '10.01',
              outstanding: '20.02',
              uncollectible: '0.00',
              voided: '0.00',
              refunded: '0.00',
            },
          ],
        },
      },
    });
    const all = await get('/analytics/revenue', { ...days, interval: 'month' }, admin);
    expect(all.json().currencies.EUR.buckets[0]).toMatchObject({ invoiced: '129.03', paid: '109.01' });
    expect((await get('/analytics/revenue', { ...days, organizationId: orgB }, user)).statusCode).toBe(403);
  });
});

describe.each(['/analytics/payments', '/analytics/revenue'])('bad input to %s', (url) => {
  it.each([
    ['from after to', { from: '2026-02-03T00:00:00Z', to: '2026-02-01T00:00:00Z' }],
    ['an unknown interval', { ...days, interval: 'week' }],
    ['more than 1,000 buckets', { from: '2026-01-01T00:00:00Z', to: '2028-12-31T00:00:00Z', interval: 'day' }],
    ['more than ten years', { from: '2000-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z', interval: 'month' }],
    ['a currency in lower case', { ...days, currency: 'eur' }],
    ['an unknown parameter', { ...days, status: 'paid' }],
  ])('answers 400 problem+json for %s, and the figures are unchanged', async (_, query) => {
    const before = (await get(url, { ...days, organizationId: orgA }, user)).json();
    const response = await get(url, { ...query, organizationId: orgA } as Record<string, string>, user);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 400, code: 'VALIDATION' });
    expect((await get(url, { ...days, organizationId: orgA }, user)).json()).toEqual(before);
  });

  it('answers hourly buckets of payments, and 400 for hourly revenue (kept per day)', async () => {
    const response = await get(url, { ...days, interval: 'hour', organizationId: orgA }, user);
    expect(response.statusCode).toBe(url === '/analytics/revenue' ? 400 : 200);
  });
});
