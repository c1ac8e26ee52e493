/**
 * Reports over real HTTP with a query worker on the real Temporal server: identical concurrent
 * requests share one report id and ONE workflow execution (counted through Temporal's visibility),
 * results equal what the test made, and a completed report requested again is served from that same
 * execution at once.
 */
import { randomUUID } from 'node:crypto';
import { reportWorkflowId } from '@gyroscops/contracts';
import type { QueryApiOperations } from '@gyroscops/api-client';
import { answer as answerOf, apiClients, grantOrganizations, malformed, type ApiClients } from './support/http-client';
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;
let api: ApiClients;
const org = `org-${randomUUID().slice(0, 8)}`;
grantOrganizations(org, `${org}-other`);
const startedAt = new Date(Date.now() - 60_000).toISOString();
const until = new Date(Date.now() + 3_600_000).toISOString();
let position = '0';
let commaPaymentId = '';

beforeAll(async () => {
  stack = await startTestStack({ withQueryWorker: true });
  api = apiClients(stack);
  const made = [
    await create('10.00', 'EUR'),
    await create('20.01', 'EUR', { description: '=SUM(A1), "quoted"' }),
    await create('5.00', 'EUR', { metadata: { simulate: 'decline' } }),
    await create('1500', 'JPY'),
    await create('700', 'JPY'),
  ];
  commaPaymentId = made[1]!.paymentId;
  const refund = await answerOf(
    api.command.POST('/payments/{paymentId}/refunds', {
      params: { path: { paymentId: made[4]!.paymentId } },
      body: { amount: '200' },
    }),
  );
  expect(refund.status).toBe(201);
  // A payment of another organization, which no report of `org` may count.
  await create('999.00', 'EUR', {}, `${org}-other`);
  position = refund.body.position;
  // Generous: the workflow bundles are built on a machine shared with other test runs.
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

async function create(
  amount: string,
  currency: string,
  extra: { description?: string; metadata?: Record<string, string> } = {},
  organizationId = org,
) {
  const answer = await answerOf(
    api.command.POST('/payments', { body: { organizationId, amount, currency, ...extra } }),
  );
  expect(answer.status).toBe(201);
  return answer.body as { paymentId: string; position: string };
}
type ReportBody = QueryApiOperations['requestReport']['requestBody']['content']['application/json'];
const postReport = (body: ReportBody) =>
  answerOf(api.query.POST('/reports', { body, params: { header: { 'x-min-position': position } } }));
const getReport = (reportId: string) =>
  answerOf(api.query.GET('/reports/{reportId}', { params: { path: { reportId } } }));

async function completed(reportId: string) {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const answer = await getReport(reportId);
    expect(answer.status).toBe(200);
    if (answer.body.state !== 'running') return answer.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`report ${reportId} still running`);
}

/** Every execution (running or closed) Temporal has of the report's workflow id. */
async function executionsOf(reportId: string): Promise<string[]> {
  const runIds: string[] = [];
  for await (const execution of stack.temporal.workflow.list({ query: `WorkflowId = "${reportWorkflowId(reportId)}"` }))
    runIds.push(execution.runId);
  return runIds;
}

describe('payment statistics report', () => {
  const request: ReportBody = { kind: 'payment-statistics', organizationId: org, from: startedAt, to: until };

  it('coalesces identical concurrent requests onto one execution, then serves the completed result again at once', async () => {
    // The same request five times at once, with keys in other orders and the same instants written otherwise.
    const variants: ReportBody[] = [
      request,
      { to: until, from: startedAt, organizationId: org, kind: 'payment-statistics' },
      { ...request, from: startedAt.replace('Z', '+00:00') },
      request,
      request,
    ];
    const answers = await Promise.all(variants.map((body) => postReport(body)));
    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202, 202, 202]);
    const reportId = answers[0]!.body.reportId as string;
    expect(reportId).toMatch(/^[0-9a-f]{32}$/);
    for (const answer of answers) {
      expect(answer.body).toEqual({ reportId });
      expect(answer.headers.get('location')).toBe(`/reports/${reportId}`);
    }

    const status = await completed(reportId);
    expect(status).toEqual({
      reportId,
      state: 'completed',
      result: {
        kind: 'payment-statistics',
        organizationId: org,
        from: new Date(startedAt).toISOString(),
        to: new Date(until).toISOString(),
        generatedAt: expect.any(String),
        currencies: {
          EUR: {
            count: 3,
            totalAmount: '35.01',
            // 35.01 / 3 = 11.67
            averageAmount: '11.67',
            byStatus: { failed: { count: 1, amount: '5.00' }, processed: { count: 2, amount: '30.01' } },
          },
          JPY: {
            count: 2,
            totalAmount: '2200',
            averageAmount: '1100',
            byStatus: { partially_refunded: { count: 1, amount: '700' }, processed: { count: 1, amount: '1500' } },
          },
        },
      },
    });

    // Asked again once completed: the same id, completed at once, the very same result (generatedAt included).
    const again = await postReport(request);
    expect(again.status).toBe(202);
    expect(again.body.reportId).toBe(reportId);
    const cached = await getReport(reportId);
    expect(cached.body).toEqual(status);

    // One execution for all six requests. Visibility is eventually consistent: wait until it lists the run.
    let runs: string[] = [];
    for (let attempt = 0; attempt < 50 && runs.length === 0; attempt += 1) {
      runs = await executionsOf(reportId);
      if (runs.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(runs).toHaveLength(1);
    const described = await stack.temporal.workflow.getHandle(reportWorkflowId(reportId)).describe();
    expect(described.runId).toBe(runs[0]);
    expect(described.status.name).toBe('COMPLETED');
  });

  it('a different request is a different report', async () => {
    const one = await postReport(request);
    const other = await postReport({ ...request, to: new Date(Date.parse(until) + 1_000).toISOString() });
    expect(other.body.reportId).not.toBe(one.body.reportId);
  });
});

describe('payment CSV export report', () => {
  it('exports the search it is given, in its order, with CSV quoting', async () => {
    const answer = await postReport({
      kind: 'payment-export-csv',
      filter: { organizationId: org, currency: 'EUR', sort: 'amount', order: 'asc' },
    });
    expect(answer.status).toBe(202);
    const status = await completed(answer.body.reportId);
    expect(status.state).toBe('completed');
    const { result } = status;
    expect(result).toMatchObject({
      kind: 'payment-export-csv',
      contentType: 'text/csv',
      rowCount: 3,
      truncated: false,
    });
    const lines = (result.csv as string).split('\r\n');
    expect(lines[0]).toBe(
      'paymentId,organizationId,userId,status,amount,currency,refundedAmount,description,failureReason,createdAt,updatedAt,version',
    );
    expect(lines.slice(1, 4).map((line) => line.split(',')[4])).toEqual(['5.00', '10.00', '20.01']);
    expect(lines[4]).toBe('');
    // The description holds a comma and quotes (quoted, quotes doubled) and starts like a formula (neutralized).
    expect(lines[3]).toContain(`${commaPaymentId},${org},`);
    expect(lines[3]).toContain(`,"'=SUM(A1), ""quoted""",`);
    expect(lines[1]).toContain(',failed,5.00,EUR,0.00,,card_declined,');
  });

  it('refuses filters that do not fit together, naming the field', async () => {
    const answer = await postReport({ kind: 'payment-export-csv', filter: { organizationId: org, minAmount: '10' } });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([
      { path: 'body:/filter/minAmount', message: expect.stringMatching(/currency/) },
    ]);
  });
});

describe('event types report', () => {
  it('counts the events per type of the range, as the event store holds them', async () => {
    const answer = await postReport({ kind: 'event-types', from: startedAt, to: until });
    const status = await completed(answer.body.reportId);
    const rows = await stack.eventStore
      .selectFrom('events')
      .select(['type'])
      .where('recorded_at', '>=', new Date(startedAt))
      .where('recorded_at', '<', new Date(until))
      .execute();
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row.type, (counts.get(row.type) ?? 0) + 1);
    expect(status.result).toEqual({
      kind: 'event-types',
      from: new Date(startedAt).toISOString(),
      to: new Date(until).toISOString(),
      total: rows.length,
      byType: [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([type, count]) => ({ type, count })),
      generatedAt: expect.any(String),
    });
    expect(status.result.byType.find((entry: any) => entry.type === 'PaymentRefunded')).toEqual({
      type: 'PaymentRefunded',
      count: 1,
    });
  });
});

describe('bad report requests', () => {
  const cases: [string, unknown][] = [
    ['an unknown kind', { kind: 'everything' }],
    ['a range that ends before it starts', { kind: 'event-types', from: until, to: startedAt }],
    ['a range over 366 days', { kind: 'event-types', from: '2024-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }],
    ['a field a kind does not have', { kind: 'event-types', from: startedAt, to: until, organizationId: org }],
    ['statistics without an organization', { kind: 'payment-statistics', from: startedAt, to: until }],
    ['an export filter with an unknown field', { kind: 'payment-export-csv', filter: { colour: 'red' } }],
  ];

  it.each(cases)('%s: 400 problem+json', async (_name, body) => {
    const answer = await postReport(malformed(body));
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('an unknown report is 404, a malformed id 400', async () => {
    expect((await getReport('0'.repeat(32))).status).toBe(404);
    expect((await getReport('not-a-report')).status).toBe(400);
  });
});
