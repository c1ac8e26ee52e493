/**
 * Authentication and tenancy over real HTTP: every route but health, docs and openapi.json needs a
 * valid bearer token; a caller never sees or changes another organization's data (403 when it names
 * a foreign organization, 404 for a foreign payment or command, filtered lists); admin routes need
 * the admin role; the user id of events comes from the token's `sub`.
 */
import { randomUUID } from 'node:crypto';
import { PROJECTIONS } from '@gyroscops/contracts';
import { answer, apiClients, bearer, call, grantOrganizations, type ApiClients } from './support/http-client';
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;
let api: ApiClients;
let anonymous: ApiClients;
const orgA = grantOrganizations(`org-${randomUUID().slice(0, 8)}`);
const orgB = `org-${randomUUID().slice(0, 8)}`;
const asA = { authorization: bearer({ sub: 'user-a', orgs: [orgA] }) };
const asB = { authorization: bearer({ sub: 'user-b', orgs: [orgB] }) };
/** Read-your-writes headers; a generous wait, as the whole stack shares the machine with other test files. */
const after = (position: string) => ({ 'x-min-position': position, 'x-wait-ms': '10000' });

let payment: { commandId: string; paymentId: string; position: string; version: number };
const correlationId = `corr-${randomUUID()}`;

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClients(stack);
  anonymous = apiClients(stack, { anonymous: true });
  const created = await answer(
    api.command.POST('/payments', {
      body: { organizationId: orgA, amount: '10.00', currency: 'EUR' },
      // Claims of the user id outside the token are ignored.
      headers: { ...asA, 'x-user-id': 'mallory', 'x-correlation-id': correlationId },
    }),
  );
  expect(created.status).toBe(201);
  payment = created.body;
  // Generous: the workflow bundles are built on a machine shared with other test runs.
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

type As = { authorization: string };
/** Query-api calls as one caller, after the payment made in beforeAll is readable. */
const read = (as: As) => ({ headers: as, params: { header: after(payment.position) } });
const view = (as: As, query: { version?: number; asOf?: string } = {}) =>
  answer(
    api.query.GET('/payments/{paymentId}', {
      headers: as,
      params: { path: { paymentId: payment.paymentId }, query, header: after(payment.position) },
    }),
  );
const history = (as: As) =>
  answer(
    api.query.GET('/payments/{paymentId}/history', {
      headers: as,
      params: { path: { paymentId: payment.paymentId }, header: after(payment.position) },
    }),
  );

describe('authentication', () => {
  /** `anonymous`: no Authorization header at all. */
  const invalid: [string, As | 'anonymous'][] = [
    ['no token', 'anonymous'],
    [
      'a bad signature',
      {
        authorization: bearer({ sub: 'user-a', orgs: [orgA] }, { secret: 'another-secret-of-at-least-32-characters' }),
      },
    ],
    ['an expired token', { authorization: bearer({ sub: 'user-a', orgs: [orgA] }, { ttlSeconds: -60 }) }],
  ];

  it.each(invalid)(
    'answers 401 with WWW-Authenticate to %s, on a command route and a query route',
    async (_name, as) => {
      const clients = as === 'anonymous' ? anonymous : api;
      const headers = as === 'anonymous' ? {} : as;
      const commandAnswer = await answer(
        clients.command.POST('/payments', { body: { organizationId: orgA, amount: '1.00', currency: 'EUR' }, headers }),
      );
      const queryAnswer = await answer(
        clients.query.GET('/payments/{paymentId}', { params: { path: { paymentId: payment.paymentId } }, headers }),
      );
      for (const answer of [commandAnswer, queryAnswer]) {
        expect(answer.status).toBe(401);
        expect(answer.headers.get('www-authenticate')).toBe('Bearer');
        expect(answer.headers.get('content-type')).toContain('application/problem+json');
      }
    },
  );

  it('leaves health, metrics and openapi.json open', async () => {
    expect((await anonymous.command.GET('/health/live')).response.status).toBe(200);
    expect((await anonymous.query.GET('/health/live')).response.status).toBe(200);
    expect((await anonymous.command.GET('/metrics', { parseAs: 'text' })).response.status).toBe(200);
    expect((await anonymous.query.GET('/metrics', { parseAs: 'text' })).response.status).toBe(200);
    for (const url of [stack.commandUrl, stack.queryUrl]) {
      // The document itself is not one of its operations: plain fetch, without a token.
      const openapi = await call(url, 'GET', '/openapi.json', { headers: { authorization: '' } });
      expect(openapi.status).toBe(200);
      expect(openapi.body.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    }
  });
});

describe('the user id', () => {
  it('comes from the token subject, not from headers', async () => {
    const events = await history(asA);
    expect(events.status).toBe(200);
    expect(events.body.items[0].data.userId).toBe('user-a');
    expect((await view(asA)).body.userId).toBe('user-a');
  });
});

describe('commands on another organization', () => {
  it('answers 403 to a create for an organization not in the token', async () => {
    expect(
      (
        await answer(
          api.command.POST('/payments', {
            headers: asB,
            body: { organizationId: orgA, amount: '1.00', currency: 'EUR' },
          }),
        )
      ).status,
    ).toBe(403);
  });

  it("answers 404 to PATCH, refund and DELETE of another organization's payment, and appends nothing", async () => {
    const path = { paymentId: payment.paymentId };
    expect(
      (
        await answer(
          api.command.PATCH('/payments/{paymentId}', {
            headers: asB,
            params: { path },
            body: { description: 'hijacked' },
          }),
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await answer(
          api.command.POST('/payments/{paymentId}/refunds', {
            headers: asB,
            params: { path },
            body: { amount: '1.00' },
          }),
        )
      ).status,
    ).toBe(404);
    expect((await answer(api.command.DELETE('/payments/{paymentId}', { headers: asB, params: { path } }))).status).toBe(
      404,
    );
    expect((await history(asA)).body.items).toHaveLength(payment.version);
  });

  it("answers 404 to GET /commands/{id} of another organization's command", async () => {
    const commandState = (as: As) =>
      answer(
        api.command.GET('/commands/{commandId}', { headers: as, params: { path: { commandId: payment.commandId } } }),
      );
    expect((await commandState(asB)).status).toBe(404);
    const own = await commandState(asA);
    expect(own.status).toBe(200);
    expect(own.body.state).toBe('completed');
  });
});

describe('queries of another organization', () => {
  it('answer 404 for its payment, history, and replay', async () => {
    const reads = [
      (as: As) => view(as),
      history,
      (as: As) => view(as, { version: 1 }),
      (as: As) => view(as, { asOf: new Date().toISOString() }),
    ];
    for (const readAs of reads) {
      expect((await readAs(asA)).status).toBe(200);
      expect((await readAs(asB)).status).toBe(404);
    }
  });

  it('never serve another organization an entry cached for the owner', async () => {
    expect((await view(asA)).status).toBe(200);
    const cachedForA = await view(asA);
    expect(cachedForA.status).toBe(200);
    const forB = await view(asB);
    expect(forB.status).toBe(404);
    expect(forB.body.organizationId).toBeUndefined();
  });

  it('answer 403 to a search, statistics or events naming it, and leave it out otherwise', async () => {
    const organizationId = orgA;
    const header = after(payment.position);
    expect(
      (await answer(api.query.GET('/payments', { headers: asB, params: { query: { organizationId }, header } })))
        .status,
    ).toBe(403);
    expect(
      (
        await answer(
          api.query.GET('/statistics/payments', { headers: asB, params: { query: { organizationId }, header } }),
        )
      ).status,
    ).toBe(403);
    expect(
      (await answer(api.query.GET('/events', { headers: asB, params: { query: { organizationId }, header } }))).status,
    ).toBe(403);
    const search = await answer(api.query.GET('/payments', read(asB)));
    expect(search.status).toBe(200);
    expect(search.body.total).toBe(0);
    const events = await answer(api.query.GET('/events', read(asB)));
    expect(events.status).toBe(200);
    expect(events.body.items).toEqual([]);
    const ownSearch = await answer(api.query.GET('/payments', read(asA)));
    expect(ownSearch.body.items.map((item: { paymentId: string }) => item.paymentId)).toContain(payment.paymentId);
    const ownEvents = await answer(api.query.GET('/events', read(asA)));
    expect(ownEvents.body.items.length).toBeGreaterThan(0);
  });

  it("filter timelines to the caller's organizations", async () => {
    const timeline = (as: As) =>
      answer(
        api.query.GET('/timeline/{correlationId}', {
          headers: as,
          params: { path: { correlationId }, header: after(payment.position) },
        }),
      );
    expect((await timeline(asA)).body.items.length).toBeGreaterThan(0);
    const forB = await timeline(asB);
    expect(forB.status).toBe(200);
    expect(forB.body.items).toEqual([]);
  });

  it('refuse reports on it, and hide its reports', async () => {
    const range = {
      from: new Date(Date.now() - 86_400_000).toISOString(),
      to: new Date(Date.now() + 86_400_000).toISOString(),
    };
    expect(
      (
        await answer(
          api.query.POST('/reports', {
            headers: asB,
            body: { kind: 'payment-statistics', organizationId: orgA, ...range },
          }),
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await answer(
          api.query.POST('/reports', {
            headers: asB,
            body: { kind: 'payment-export-csv', filter: { organizationId: orgA } },
          }),
        )
      ).status,
    ).toBe(403);
    const own = await answer(
      api.query.POST('/reports', {
        headers: asA,
        body: { kind: 'payment-statistics', organizationId: orgA, ...range },
      }),
    );
    expect(own.status).toBe(202);
    const report = (as: As) =>
      answer(api.query.GET('/reports/{reportId}', { headers: as, params: { path: { reportId: own.body.reportId } } }));
    expect((await report(asA)).status).toBe(200);
    expect((await report(asB)).status).toBe(404);
  });
});

describe('admin routes', () => {
  it('answer 403 without the admin role; GET /projections and GET /analytics/events need only a token', async () => {
    const admin = { headers: asA, params: { path: { name: PROJECTIONS.payments } } };
    expect((await answer(api.query.POST('/projections/{name}/rebuild', admin))).status).toBe(403);
    expect((await answer(api.query.POST('/projections/{name}/resume', admin))).status).toBe(403);
    expect((await answer(api.query.POST('/projections/{name}/dead-letters/retry', admin))).status).toBe(403);
    const range = { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date().toISOString() };
    // Scoped to the caller's organizations, like every other query (see statistics.e2e.spec.ts).
    expect((await answer(api.query.GET('/analytics/events', { headers: asA, params: { query: range } }))).status).toBe(
      200,
    );
    const eventTypes = await answer(
      api.query.POST('/reports', { headers: asA, body: { kind: 'event-types', ...range } }),
    );
    expect(eventTypes.status).toBe(403);
    expect((await answer(api.query.GET('/projections', { headers: asA }))).status).toBe(200);
  });
});
