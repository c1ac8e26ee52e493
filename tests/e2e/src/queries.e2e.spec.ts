/**
 * The query routes over real HTTP on the whole stack: payments are made through the command-api, and
 * every answer is checked against what the test made (or against the event store read directly):
 * search with filters, sort and cursor pages; replay by version and by instant; history; event search;
 * timelines; 400s for bad parameters; read-your-writes over many iterations.
 */
import { randomUUID } from 'node:crypto';
import { paymentStreamId } from '@gyroscops/contracts';
import { foldPayment, isPaymentEvent, toPaymentView, type PaymentEvent } from '@gyroscops/domain';
import { readStream, type RecordedEvent } from '@gyroscops/event-store';
import type { QueryApiOperations } from '@gyroscops/api-client';
import {
  answer,
  apiClients,
  call,
  grantOrganizations,
  malformed,
  ran,
  type ApiClients,
  type ApiResponse,
} from './support/http-client';
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;
let api: ApiClients;

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClients(stack);
  // Generous: the workflow bundles are built on a machine shared with other test runs.
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

interface CommandAnswer {
  commandId: string;
  paymentId: string;
  status: string;
  version: number;
  position: string;
}

const newOrganization = () => grantOrganizations(`org-${randomUUID().slice(0, 8)}`);
type Extra = { description?: string; metadata?: Record<string, string> };
const createPayment = async (
  organizationId: string,
  amount: string,
  currency: string,
  extra: Extra = {},
  headers: Record<string, string> = {},
): Promise<CommandAnswer> =>
  ran(await api.command.POST('/payments', { body: { organizationId, amount, currency, ...extra }, headers }));
const update = async (paymentId: string, body: Extra): Promise<CommandAnswer> =>
  ran(await api.command.PATCH('/payments/{paymentId}', { params: { path: { paymentId } }, body }));
const refund = async (
  paymentId: string,
  amount: string,
  headers: Record<string, string> = {},
): Promise<CommandAnswer> =>
  ran(
    await api.command.POST('/payments/{paymentId}/refunds', {
      params: { path: { paymentId } },
      body: { amount },
      headers,
    }),
  );
const remove = async (paymentId: string): Promise<CommandAnswer> =>
  ran(await api.command.DELETE('/payments/{paymentId}', { params: { path: { paymentId } } }));

type ReadHeader = { 'x-min-position'?: string; 'x-wait-ms'?: string };
type PaymentSearch = NonNullable<QueryApiOperations['searchPayments']['parameters']['query']>;
type EventSearch = NonNullable<QueryApiOperations['searchEvents']['parameters']['query']>;
const searchPayments = (query: PaymentSearch, header: ReadHeader = {}) =>
  answer(api.query.GET('/payments', { params: { query, header } }));
const payment = (paymentId: string, query: { version?: number; asOf?: string } = {}, header: ReadHeader = {}) =>
  answer(api.query.GET('/payments/{paymentId}', { params: { path: { paymentId }, query, header } }));
const history = (paymentId: string, header: ReadHeader = {}) =>
  answer(api.query.GET('/payments/{paymentId}/history', { params: { path: { paymentId }, header } }));
const searchEvents = (query: EventSearch, header: ReadHeader = {}) =>
  answer(api.query.GET('/events', { params: { query, header } }));
const timeline = (correlationId: string) =>
  answer(api.query.GET('/timeline/{correlationId}', { params: { path: { correlationId } } }));

const maxPosition = (answers: CommandAnswer[]) =>
  answers
    .map((answer) => BigInt(answer.position))
    .reduce((a, b) => (a > b ? a : b), 0n)
    .toString();

/** The view the domain computes from a list of stored events: the reference for replays. */
function fold(events: readonly RecordedEvent[]) {
  const domainEvents = events
    .map((event) => ({ type: event.type, data: event.data }))
    .filter((event): event is PaymentEvent => isPaymentEvent(event));
  return toPaymentView(foldPayment(domainEvents));
}

describe('GET /payments (search)', () => {
  const org = newOrganization();
  /** The views of the payments this block made, as GET /payments/{id} shows them. */
  let views: any[] = [];
  let position = '0';

  beforeAll(async () => {
    const made: CommandAnswer[] = [];
    made.push(await createPayment(org, '10.00', 'EUR'));
    made.push(await createPayment(org, '25.50', 'EUR', { description: 'second' }));
    made.push(await createPayment(org, '99.99', 'EUR', { metadata: { simulate: 'decline' } }));
    const partial = await createPayment(org, '50.00', 'EUR');
    made.push(partial, await refund(partial.paymentId, '20.00'));
    const full = await createPayment(org, '30.00', 'EUR');
    made.push(full, await refund(full.paymentId, '30.00'));
    made.push(await createPayment(org, '1500', 'JPY'));
    made.push(await createPayment(org, '500', 'JPY', { metadata: { simulate: 'decline' } }));
    made.push(await createPayment(org, '7.25', 'USD'));
    const deleted = await createPayment(org, '12.00', 'EUR');
    made.push(await remove(deleted.paymentId));
    position = maxPosition(made);
    const ids = [...new Set(made.map((answer) => answer.paymentId))].filter((id) => id !== deleted.paymentId);
    views = await Promise.all(ids.map(async (id) => (await payment(id, {}, { 'x-min-position': position })).body));
    expect(views).toHaveLength(8);
  });

  const search = (query: PaymentSearch) =>
    searchPayments({ organizationId: org, ...query }, { 'x-min-position': position });
  const byCreation = (a: any, b: any) =>
    a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.paymentId < b.paymentId ? -1 : 1;

  it('filters by a status list, newest first by default', async () => {
    const answer = await search({ status: ['processed', 'failed'] });
    expect(answer.status).toBe(200);
    const expected = views
      .filter((view) => ['processed', 'failed'].includes(view.status))
      .sort(byCreation)
      .reverse();
    expect(expected.map((view) => view.status).sort()).toEqual([
      'failed',
      'failed',
      'processed',
      'processed',
      'processed',
      'processed',
    ]);
    expect(answer.body).toEqual({ items: expected, nextCursor: null, total: expected.length });
    // A single status is a list of one.
    const refunded = await search({ status: ['refunded'] });
    expect(refunded.body.items.map((view: any) => view.status)).toEqual(['refunded']);
  });

  it('filters by currency and amount range, sorted by amount', async () => {
    const answer = await search({ currency: 'EUR', minAmount: '20', maxAmount: '60', sort: 'amount', order: 'asc' });
    expect(answer.status).toBe(200);
    expect(answer.body.items.map((view: any) => view.amount)).toEqual(['25.50', '30.00', '50.00']);
    expect(answer.body.total).toBe(3);
    const yen = await search({ currency: 'JPY', sort: 'amount', order: 'desc' });
    expect(yen.body.items.map((view: any) => [view.amount, view.status])).toEqual([
      ['1500', 'processed'],
      ['500', 'failed'],
    ]);
    // Bounds are inclusive and compared in minor units of the currency: "25.5" is 2550 cents.
    expect(
      (await search({ currency: 'EUR', minAmount: '25.5', maxAmount: '25.50' })).body.items.map(
        (view: any) => view.amount,
      ),
    ).toEqual(['25.50']);
  });

  it('sorts by status (then creation) and filters by creation range', async () => {
    const answer = await search({ sort: 'status', order: 'asc', limit: 200 });
    const statuses = answer.body.items.map((view: any) => view.status);
    expect(statuses).toEqual([...statuses].sort());
    expect(answer.body.total).toBe(8);
    const ordered = [...views].sort(byCreation);
    const from = ordered[2].createdAt;
    const to = ordered[5].createdAt;
    const ranged = await search({ createdFrom: from, createdTo: to, order: 'asc' });
    expect(ranged.body.items.map((view: any) => view.paymentId)).toEqual(
      ordered.filter((view) => view.createdAt >= from && view.createdAt < to).map((view) => view.paymentId),
    );
  });

  it('walks every page with the cursor: each payment exactly once, in order, with the total on every page', async () => {
    const expected = [...views].sort(byCreation).map((view) => view.paymentId);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const answer: ApiResponse = await search({ order: 'asc', limit: 2, ...(cursor ? { cursor } : {}) });
      expect(answer.status).toBe(200);
      expect(answer.body.total).toBe(8);
      seen.push(...answer.body.items.map((view: any) => view.paymentId));
      cursor = answer.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 20);
    expect(pages).toBe(4);
    expect(seen).toEqual(expected);
  });

  it('without organizationId searches every organization', async () => {
    const answer = await searchPayments({ currency: 'USD', limit: 200 }, { 'x-min-position': position });
    expect(answer.body.items.map((view: any) => view.paymentId)).toContain(
      views.find((view) => view.currency === 'USD').paymentId,
    );
  });
});

describe('GET /payments/{id}?version= and ?asOf= (replay)', () => {
  const org = newOrganization();
  let paymentId = '';
  let events: RecordedEvent[] = [];
  let deletedAt = '0';

  beforeAll(async () => {
    const created = await createPayment(org, '50.00', 'EUR', { description: 'replayed' });
    paymentId = created.paymentId;
    await update(paymentId, { description: 'renamed', metadata: { step: 'update' } });
    await refund(paymentId, '10.00');
    await refund(paymentId, '15.00');
    deletedAt = (await remove(paymentId)).position;
    events = await readStream(stack.eventStore, paymentStreamId(paymentId));
    expect(events.map((event) => event.type)).toEqual([
      'PaymentInitiated',
      'PaymentProcessed',
      'PaymentUpdated',
      'RefundRequested',
      'PaymentRefunded',
      'RefundRequested',
      'PaymentRefunded',
      'PaymentDeleted',
    ]);
  });

  it('?version=k equals the fold of the first k events, for every k, also after the delete', async () => {
    expect((await payment(paymentId, {}, { 'x-min-position': deletedAt })).status).toBe(404);
    for (let k = 1; k <= events.length; k += 1) {
      const answer = await payment(paymentId, { version: k });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(fold(events.slice(0, k)));
    }
    const last = await payment(paymentId, { version: events.length });
    expect(last.body).toMatchObject({
      deleted: true,
      status: 'partially_refunded',
      refundedAmount: '25.00',
      description: 'renamed',
      version: 8,
    });
    expect((await payment(paymentId, { version: 3 })).body).toMatchObject({
      deleted: false,
      status: 'processed',
      description: 'renamed',
      metadata: { step: 'update' },
    });
  });

  it('?version beyond the stream, or of an unknown payment, is 404', async () => {
    expect((await payment(paymentId, { version: events.length + 1 })).status).toBe(404);
    expect((await payment(randomUUID(), { version: 1 })).status).toBe(404);
  });

  it('?asOf= an instant rebuilds the events recorded at or before it', async () => {
    for (const event of events) {
      const asOf = event.recordedAt.toISOString();
      const answer = await payment(paymentId, { asOf });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(
        fold(events.filter((each) => each.recordedAt.getTime() <= event.recordedAt.getTime())),
      );
    }
    // Between two events: one millisecond before the update was recorded, the state is the processed payment.
    const beforeUpdate = new Date(events[2]!.recordedAt.getTime() - 1).toISOString();
    expect((await payment(paymentId, { asOf: beforeUpdate })).body).toMatchObject({
      status: 'processed',
      description: 'replayed',
      deleted: false,
    });
    // Any way of writing the same instant is the same instant.
    const offset = events[0]!.recordedAt.toISOString().replace('Z', '+00:00');
    expect((await payment(paymentId, { asOf: offset })).body).toEqual(
      fold(events.filter((each) => each.recordedAt <= events[0]!.recordedAt)),
    );
    const before = new Date(events[0]!.recordedAt.getTime() - 1).toISOString();
    expect((await payment(paymentId, { asOf: before })).status).toBe(404);
    expect((await payment(paymentId, { asOf: '2999-01-01T00:00:00Z' })).body).toEqual(fold(events));
  });

  it('history lists every event after the delete; unknown payments are 404', async () => {
    const answer = await history(paymentId);
    expect(answer.status).toBe(200);
    expect(answer.body.items).toEqual(
      events.map((event) => ({
        eventId: event.eventId,
        type: event.type,
        streamId: paymentStreamId(paymentId),
        streamType: 'payment',
        version: event.streamVersion,
        position: event.position.toString(),
        recordedAt: event.recordedAt.toISOString(),
        schemaVersion: 1,
        data: event.data,
        metadata: event.metadata,
      })),
    );
    expect((await history(randomUUID())).status).toBe(404);
  });
});

describe('GET /events and GET /timeline/{correlationId}', () => {
  const org = newOrganization();
  const correlationId = `corr-${randomUUID()}`;
  let made: CommandAnswer[] = [];

  beforeAll(async () => {
    const first = await createPayment(org, '40.00', 'EUR', {}, { 'x-correlation-id': correlationId });
    const refunded = await refund(first.paymentId, '5.00', { 'x-correlation-id': correlationId });
    const second = await createPayment(org, '8.00', 'GBP');
    const third = await createPayment(org, '9.00', 'GBP', {}, { 'x-correlation-id': correlationId });
    made = [first, refunded, second, third];
  });

  /** This organization's events straight from the table, in global order: the reference. */
  async function eventsOfOrganization() {
    const rows = await stack.eventStore
      .selectFrom('events')
      .select(['position', 'type', 'event_id', 'recorded_at', 'correlation_id'])
      .where('organization_id', '=', org)
      .execute();
    return rows.sort((a, b) => (BigInt(a.position) < BigInt(b.position) ? -1 : 1));
  }

  it('filters by type and organization', async () => {
    const answer = await searchEvents({ organizationId: org, type: ['PaymentRefunded', 'PaymentProcessed'] });
    expect(answer.status).toBe(200);
    const expected = (await eventsOfOrganization()).filter((row) =>
      ['PaymentRefunded', 'PaymentProcessed'].includes(row.type),
    );
    expect(answer.body.items.map((event: any) => event.eventId)).toEqual(expected.map((row) => row.event_id));
    expect(answer.body.items.map((event: any) => event.type).sort()).toEqual([
      'PaymentProcessed',
      'PaymentProcessed',
      'PaymentProcessed',
      'PaymentRefunded',
    ]);
    expect(answer.body.nextCursor).toBeNull();
  });

  it('pages through an organization in global order with the cursor, within a time range', async () => {
    const rows = await eventsOfOrganization();
    // Three payments of two events each, and a refund of two (RefundRequested, PaymentRefunded).
    expect(rows).toHaveLength(8);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const answer: ApiResponse = await searchEvents({
        organizationId: org,
        streamType: 'payment',
        limit: 3,
        ...(cursor ? { cursor } : {}),
      });
      expect(answer.status).toBe(200);
      seen.push(...answer.body.items.map((event: any) => event.eventId));
      cursor = answer.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(rows.map((row) => row.event_id));
    const from = rows[2]!.recorded_at.toISOString();
    const to = rows[5]!.recorded_at.toISOString();
    const ranged = await searchEvents({ organizationId: org, from, to });
    expect(ranged.body.items.map((event: any) => event.eventId)).toEqual(
      rows
        .filter(
          (row) =>
            row.recorded_at.getTime() >= rows[2]!.recorded_at.getTime() &&
            row.recorded_at.getTime() < rows[5]!.recorded_at.getTime(),
        )
        .map((row) => row.event_id),
    );
  });

  it('a timeline holds every event carrying the correlation id, in global order, with its workflow', async () => {
    const answer = await timeline(correlationId);
    expect(answer.status).toBe(200);
    const expected = (await eventsOfOrganization()).filter((row) => row.correlation_id === correlationId);
    // The first payment's two events, its refund's two (RefundRequested, PaymentRefunded), the third payment's two.
    expect(expected).toHaveLength(6);
    expect(answer.body.correlationId).toBe(correlationId);
    expect(answer.body.truncated).toBe(false);
    expect(answer.body.items.map((event: any) => event.eventId)).toEqual(expected.map((row) => row.event_id));
    const positions = answer.body.items.map((event: any) => BigInt(event.position));
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : 1)));
    const commandsInIt = [made[0]!, made[1]!, made[3]!];
    for (const event of answer.body.items) {
      expect(event.metadata.correlationId).toBe(correlationId);
      expect(event.workflowId).toBe(event.metadata.workflowId);
      expect(event.workflowRunId).toBe(event.metadata.workflowRunId);
      expect(commandsInIt.map((each) => `payment-command-${each.commandId}`)).toContain(event.workflowId);
    }
    expect((await timeline(`unknown-${randomUUID()}`)).body).toEqual({
      correlationId: expect.any(String),
      items: [],
      truncated: false,
    });
  });
});

describe('bad query parameters: 400 problem+json', () => {
  const org = newOrganization();
  let otherFilterCursor = '';
  let eventsCursor = '';

  beforeAll(async () => {
    const created = await Promise.all([createPayment(org, '1.00', 'EUR'), createPayment(org, '2.00', 'EUR')]);
    const position = maxPosition(created);
    otherFilterCursor = (await searchPayments({ organizationId: org, limit: 1 }, { 'x-min-position': position })).body
      .nextCursor;
    eventsCursor = (await searchEvents({ organizationId: org, limit: 1 })).body.nextCursor;
    expect(otherFilterCursor).toEqual(expect.any(String));
    expect(eventsCursor).toEqual(expect.any(String));
  });

  /** A real cursor with another position: right query, impossible position. */
  const forge = (cursor: string, position: string[]) =>
    Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')), p: position }),
    ).toString('base64url');

  /** Values the client's types refuse go through `malformed()`: they get past the types, not past the API. */
  const cases: [string, () => Promise<ApiResponse>][] = [
    ['a cursor that is not one', () => searchPayments({ cursor: 'not-a-cursor' })],
    [
      'a cursor of valid base64 but not JSON',
      () => searchPayments({ cursor: Buffer.from('hello').toString('base64url') }),
    ],
    [
      'a cursor used with other filters',
      () => searchPayments({ organizationId: org, currency: 'EUR', limit: 1, cursor: otherFilterCursor }),
    ],
    [
      'a cursor used with another sort',
      () => searchPayments({ organizationId: org, sort: 'amount', cursor: otherFilterCursor }),
    ],
    ['a cursor of another kind of query', () => searchPayments({ organizationId: org, cursor: eventsCursor })],
    [
      'a forged cursor position',
      () => searchPayments({ organizationId: org, limit: 1, cursor: forge(otherFilterCursor, ['drop table', 'x']) }),
    ],
    [
      'a forged cursor instant',
      () =>
        searchPayments({
          organizationId: org,
          limit: 1,
          cursor: forge(otherFilterCursor, ['2026-13-45T00:00:00.000000Z', randomUUID()]),
        }),
    ],
    ['limit 0', () => searchPayments({ limit: 0 })],
    ['limit 500', () => searchPayments({ limit: 500 })],
    ['limit not a number', () => searchPayments({ limit: malformed('ten') })],
    ['minAmount without currency', () => searchPayments({ minAmount: '10' })],
    ['maxAmount without currency', () => searchPayments({ organizationId: org, maxAmount: '10' })],
    ['decimals a currency does not have', () => searchPayments({ currency: 'JPY', minAmount: '1.5' })],
    ['an amount that is not a decimal', () => searchPayments({ currency: 'EUR', minAmount: '1e3' })],
    ['minAmount above maxAmount', () => searchPayments({ currency: 'EUR', minAmount: '10', maxAmount: '5' })],
    ['an unknown currency', () => searchPayments({ currency: 'XYZ' })],
    ['an unknown status', () => searchPayments({ status: malformed(['lost']) })],
    ['an unknown sort', () => searchPayments({ sort: malformed('colour') })],
    ['a creation bound that is not a date-time', () => searchPayments({ createdFrom: 'yesterday' })],
    ['a misspelt parameter', () => searchPayments(malformed({ statuss: 'processed' }))],
    ['asOf and version together', () => payment(randomUUID(), { asOf: '2026-01-01T00:00:00Z', version: 1 })],
    ['version 0', () => payment(randomUUID(), { version: 0 })],
    ['asOf that is not an instant', () => payment(randomUUID(), { asOf: 'soon' })],
    ['history of a malformed id', () => history('not-a-uuid')],
    ['events limit 0', () => searchEvents({ limit: 0 })],
    ['events limit 201', () => searchEvents({ limit: 201 })],
    ['an events cursor that is not one', () => searchEvents({ cursor: '%%%' })],
    [
      'an events cursor with another filter',
      () => searchEvents({ organizationId: org, type: ['PaymentProcessed'], cursor: eventsCursor }),
    ],
    ['events to before from', () => searchEvents({ from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' })],
    ['a correlation id with spaces', () => timeline('not an id')],
  ];

  it.each(cases)('%s', async (_name, send) => {
    const answer = await send();
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ status: 400, type: expect.any(String), title: expect.any(String) });
    if (answer.body.errors)
      expect(answer.body.errors[0]).toEqual({ path: expect.any(String), message: expect.any(String) });
  });

  it('names the field in the error path', async () => {
    expect((await searchPayments({ minAmount: '10' })).body.errors).toEqual([
      { path: 'querystring:/minAmount', message: expect.stringMatching(/currency/) },
    ]);
    expect(
      (await searchPayments({ organizationId: org, currency: 'EUR', cursor: otherFilterCursor })).body.errors,
    ).toEqual([{ path: 'querystring:/cursor', message: expect.stringMatching(/other filters/) }]);
  });
});

describe('read-your-writes', () => {
  it('right after each command, a query with its position sees the effect, every time', async () => {
    const org = newOrganization();
    const first = await createPayment(org, '1.00', 'EUR');
    for (let iteration = 1; iteration <= 30; iteration += 1) {
      const updated = await update(first.paymentId, { description: `iteration ${iteration}` });
      const created = await createPayment(org, `${iteration}.00`, 'EUR');
      // The longest wait the API allows: the projection may lag a few seconds when the wake-up signal
      // finds another transaction of the cluster still open (it then waits for its fallback poll), and
      // this test is about never answering stale data, which a 503 would not show either way.
      const headers = { 'x-min-position': created.position, 'x-wait-ms': '10000' };
      const [search, events, replay] = await Promise.all([
        searchPayments({ organizationId: org, sort: 'createdAt', order: 'desc', limit: 200 }, headers),
        history(first.paymentId, { 'x-min-position': updated.position }),
        payment(first.paymentId, { version: updated.version }, { 'x-min-position': updated.position }),
      ]);
      expect(search.status).toBe(200);
      expect(BigInt(search.headers.get('x-projection-position') ?? '0')).toBeGreaterThanOrEqual(
        BigInt(created.position),
      );
      expect(search.body.total).toBe(iteration + 1);
      expect(search.body.items[0].paymentId).toBe(created.paymentId);
      expect(search.body.items.find((view: any) => view.paymentId === first.paymentId).description).toBe(
        `iteration ${iteration}`,
      );
      expect(events.body.items).toHaveLength(updated.version);
      expect(replay.body).toMatchObject({ description: `iteration ${iteration}`, version: updated.version });
    }
  }, 180_000);
});

describe('OpenAPI', () => {
  it('documents every read route with its operation id, parameters and problem responses', async () => {
    // The document itself is not one of its operations: plain fetch.
    const { body: document } = await call(stack.queryUrl, 'GET', '/openapi.json');
    const operations: [string, string, string][] = [
      ['/payments', 'get', 'searchPayments'],
      ['/payments/{paymentId}', 'get', 'getPayment'],
      ['/payments/{paymentId}/history', 'get', 'getPaymentHistory'],
      ['/events', 'get', 'searchEvents'],
      ['/timeline/{correlationId}', 'get', 'getTimeline'],
      ['/reports', 'post', 'requestReport'],
      ['/reports/{reportId}', 'get', 'getReport'],
    ];
    for (const [path, method, operationId] of operations) {
      const operation = document.paths[path]?.[method];
      expect(operation).toMatchObject({ operationId, tags: [expect.any(String)], summary: expect.any(String) });
      expect(operation.responses['400']).toBeDefined();
    }
    const searchParameters = document.paths['/payments'].get.parameters.map((parameter: any) => parameter.name);
    expect(searchParameters).toEqual(
      expect.arrayContaining([
        'organizationId',
        'status',
        'currency',
        'minAmount',
        'maxAmount',
        'createdFrom',
        'createdTo',
        'sort',
        'order',
        'limit',
        'cursor',
      ]),
    );
    expect(document.paths['/payments/{paymentId}'].get.parameters.map((parameter: any) => parameter.name)).toEqual(
      expect.arrayContaining(['asOf', 'version']),
    );
  });
});
