/**
 * `GET /statistics/payments` and `GET /analytics/events` answer from the aggregate read models and
 * agree with what the test itself created; a bumped projection version rebuilds it at start-up.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { PROJECTIONS, projectionRebuildWorkflowId } from '@gyroscops/contracts';
import { projectionRegistry, startProjectionWorkflows } from '@gyroscops/projection-worker';
import { withTablesOf } from '@gyroscops/platform';
import type { ProjectionTables } from '@gyroscops/projections';
import { answer, apiClients, grantOrganizations, malformed, type ApiClients } from './support/http-client';
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;
let api: ApiClients;
const org = grantOrganizations(`org-${randomUUID().slice(0, 8)}`);
let lastPosition = '0';

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClients(stack);
  const create = async (amount: string, currency: string, simulate?: string) => {
    const response = await answer(
      api.command.POST('/payments', {
        body: { organizationId: org, amount, currency, ...(simulate ? { metadata: { simulate } } : {}) },
      }),
    );
    expect(response.status).toBe(201);
    lastPosition = response.body.position;
    return response.body as { paymentId: string; position: string };
  };
  await create('10.00', 'EUR');
  await create('20.00', 'EUR');
  await create('5.00', 'EUR', 'decline');
  await create('1500', 'JPY');
  const refunded = await create('40.00', 'EUR');
  const refund = await answer(
    api.command.POST('/payments/{paymentId}/refunds', {
      params: { path: { paymentId: refunded.paymentId } },
      body: { amount: '15.00' },
    }),
  );
  expect(refund.status).toBe(201);
  const deleted = await create('99.00', 'EUR');
  const gone = await answer(
    api.command.DELETE('/payments/{paymentId}', { params: { path: { paymentId: deleted.paymentId } } }),
  );
  lastPosition = gone.body.position;
  // Generous: the workflow bundles are built on a machine shared with other test runs.
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

type StatisticsQuery = { organizationId: string; from?: string; to?: string; currency?: string };
const statistics = (query: StatisticsQuery, header: { 'x-min-position'?: string; 'x-wait-ms'?: string } = {}) =>
  answer(api.query.GET('/statistics/payments', { params: { query, header } }));
type AnalyticsQuery = { from: string; to: string; interval?: 'hour' | 'day' | 'week' | 'month'; type?: string[] };
const analytics = (query: AnalyticsQuery, header: { 'x-min-position'?: string; 'x-wait-ms'?: string } = {}) =>
  answer(api.query.GET('/analytics/events', { params: { query, header } }));

it('counts payments per currency and status, without the deleted one', async () => {
  const response = await statistics({ organizationId: org }, { 'x-min-position': lastPosition, 'x-wait-ms': '10000' });
  expect(response.status).toBe(200);
  expect(response.body).toEqual({
    organizationId: org,
    from: null,
    to: null,
    currencies: {
      EUR: {
        count: 4,
        totalAmount: '75.00',
        averageAmount: '18.75',
        byStatus: {
          processed: { count: 2, amount: '30.00' },
          failed: { count: 1, amount: '5.00' },
          partially_refunded: { count: 1, amount: '40.00' },
        },
      },
      JPY: {
        count: 1,
        totalAmount: '1500',
        averageAmount: '1500',
        byStatus: { processed: { count: 1, amount: '1500' } },
      },
    },
  });
  const today = new Date().toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const filtered = await statistics({ organizationId: org, currency: 'JPY', from: today, to: tomorrow });
  expect(Object.keys(filtered.body.currencies)).toEqual(['JPY']);
  const past = await statistics({ organizationId: org, to: '2000-01-01' });
  expect(past.body.currencies).toEqual({});
  const backwards = await statistics({ organizationId: org, from: tomorrow, to: today });
  expect(backwards.status).toBe(400);
  // organizationId is required: the client's types refuse its absence, the API too.
  expect((await statistics(malformed({}))).status).toBe(400);
});

it('buckets events per hour and day, summing to the events stored', async () => {
  const { rows } = await sql<{ count: string }>`select count(*) from events`.execute(stack.eventStore);
  const stored = Number(rows[0]?.count);
  const from = new Date(Date.now() - 86_400_000).toISOString();
  const to = new Date(Date.now() + 86_400_000).toISOString();
  for (const interval of ['hour', 'day', 'week', 'month'] as const) {
    const response = await analytics({ from, to, interval }, { 'x-min-position': lastPosition, 'x-wait-ms': '10000' });
    expect(response.status).toBe(200);
    expect(response.body.interval).toBe(interval);
    expect(response.body.buckets.reduce((sum: number, bucket: { count: number }) => sum + bucket.count, 0)).toBe(
      stored,
    );
  }
  const refunds = await analytics({ from, to, interval: 'day', type: ['PaymentRefunded'] });
  expect(refunds.body.buckets.reduce((sum: number, bucket: { count: number }) => sum + bucket.count, 0)).toBe(1);
  expect((await analytics({ from, to, interval: malformed('year') })).status).toBe(400);
});

it('rebuilds a projection whose code version changed, at start-up', async () => {
  const readDb = withTablesOf<ProjectionTables>(stack.readDb);
  await readDb
    .updateTable('projection_checkpoints')
    .set({ version: 0 })
    .where('projection', '=', PROJECTIONS.paymentStatistics)
    .execute();
  await startProjectionWorkflows(stack.temporal, readDb, projectionRegistry);
  const progress = await stack.temporal.workflow
    .getHandle(projectionRebuildWorkflowId(PROJECTIONS.paymentStatistics))
    .result();
  expect(progress).toMatchObject({ phase: 'done', projection: PROJECTIONS.paymentStatistics });
  const checkpoint = await readDb
    .selectFrom('projection_checkpoints')
    .selectAll()
    .where('projection', '=', PROJECTIONS.paymentStatistics)
    .executeTakeFirstOrThrow();
  expect(checkpoint).toMatchObject({
    version: projectionRegistry[PROJECTIONS.paymentStatistics]!.version,
    state: 'live',
  });
  const response = await statistics({ organizationId: org });
  expect(response.body.currencies.EUR.count).toBe(4);
});
