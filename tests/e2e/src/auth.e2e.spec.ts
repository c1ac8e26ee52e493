/**
 * Authentication and tenancy over real HTTP: every route but health, docs and openapi.json needs a
 * valid bearer token; a caller never sees or changes another organization's data (403 when it names
 * a foreign organization, 404 for a foreign payment or command, filtered lists); admin routes need
 * the admin role; the user id of events comes from the token's `sub`.
 */
import { randomUUID } from 'node:crypto';
import { PROJECTIONS } from '@gyroscops/contracts';
import { bearer, call, grantOrganizations } from './support/http-client';
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;
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
  const created = await call(stack.commandUrl, 'POST', '/payments', {
    body: { organizationId: orgA, amount: '10.00', currency: 'EUR' },
    // Claims of the user id outside the token are ignored.
    headers: { ...asA, 'x-user-id': 'mallory', 'x-correlation-id': correlationId },
  });
  expect(created.status).toBe(201);
  payment = created.body;
});
afterAll(async () => {
  await stack?.stop();
});

const command = (method: string, path: string, headers: Record<string, string>, body?: unknown) => call(stack.commandUrl, method, path, { body, headers });
const query = (path: string, headers: Record<string, string>) => call(stack.queryUrl, 'GET', path, { headers: { ...headers, ...after(payment.position) } });

describe('authentication', () => {
  const invalid: [string, Record<string, string>][] = [
    ['no token', { authorization: '' }],
    ['a bad signature', { authorization: bearer({ sub: 'user-a', orgs: [orgA] }, { secret: 'another-secret-of-at-least-32-characters' }) }],
    ['an expired token', { authorization: bearer({ sub: 'user-a', orgs: [orgA] }, { ttlSeconds: -60 }) }],
  ];

  it.each(invalid)('answers 401 with WWW-Authenticate to %s, on a command route and a query route', async (_name, headers) => {
    const commandAnswer = await command('POST', '/payments', headers, { organizationId: orgA, amount: '1.00', currency: 'EUR' });
    const queryAnswer = await call(stack.queryUrl, 'GET', `/payments/${payment.paymentId}`, { headers });
    for (const answer of [commandAnswer, queryAnswer]) {
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('leaves health, metrics and openapi.json open', async () => {
    for (const url of [stack.commandUrl, stack.queryUrl]) {
      expect((await call(url, 'GET', '/health/live', { headers: { authorization: '' } })).status).toBe(200);
      expect((await call(url, 'GET', '/metrics', { headers: { authorization: '' } })).status).toBe(200);
      const openapi = await call(url, 'GET', '/openapi.json', { headers: { authorization: '' } });
      expect(openapi.status).toBe(200);
      expect(openapi.body.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    }
  });
});

describe('the user id', () => {
  it('comes from the token subject, not from headers', async () => {
    const history = await query(`/payments/${payment.paymentId}/history`, asA);
    expect(history.status).toBe(200);
    expect(history.body.items[0].data.userId).toBe('user-a');
    const view = await query(`/payments/${payment.paymentId}`, asA);
    expect(view.body.userId).toBe('user-a');
  });
});

describe('commands on another organization', () => {
  it('answers 403 to a create for an organization not in the token', async () => {
    expect((await command('POST', '/payments', asB, { organizationId: orgA, amount: '1.00', currency: 'EUR' })).status).toBe(403);
  });

  it('answers 404 to PATCH, refund and DELETE of another organization\'s payment, and appends nothing', async () => {
    expect((await command('PATCH', `/payments/${payment.paymentId}`, asB, { description: 'hijacked' })).status).toBe(404);
    expect((await command('POST', `/payments/${payment.paymentId}/refunds`, asB, { amount: '1.00' })).status).toBe(404);
    expect((await command('DELETE', `/payments/${payment.paymentId}`, asB)).status).toBe(404);
    const history = await query(`/payments/${payment.paymentId}/history`, asA);
    expect(history.body.items).toHaveLength(payment.version);
  });

  it('answers 404 to GET /commands/{id} of another organization\'s command', async () => {
    expect((await command('GET', `/commands/${payment.commandId}`, asB)).status).toBe(404);
    const own = await command('GET', `/commands/${payment.commandId}`, asA);
    expect(own.status).toBe(200);
    expect(own.body.state).toBe('completed');
  });
});

describe('queries of another organization', () => {
  it('answer 404 for its payment, history, and replay', async () => {
    for (const path of [`/payments/${payment.paymentId}`, `/payments/${payment.paymentId}/history`, `/payments/${payment.paymentId}?version=1`, `/payments/${payment.paymentId}?asOf=${new Date().toISOString()}`]) {
      expect((await query(path, asA)).status).toBe(200);
      expect((await query(path, asB)).status).toBe(404);
    }
  });

  it('never serve another organization an entry cached for the owner', async () => {
    expect((await query(`/payments/${payment.paymentId}`, asA)).status).toBe(200);
    const cachedForA = await query(`/payments/${payment.paymentId}`, asA);
    expect(cachedForA.status).toBe(200);
    const forB = await query(`/payments/${payment.paymentId}`, asB);
    expect(forB.status).toBe(404);
    expect(forB.body.organizationId).toBeUndefined();
  });

  it('answer 403 to a search, statistics or events naming it, and leave it out otherwise', async () => {
    expect((await query(`/payments?organizationId=${orgA}`, asB)).status).toBe(403);
    expect((await query(`/statistics/payments?organizationId=${orgA}`, asB)).status).toBe(403);
    expect((await query(`/events?organizationId=${orgA}`, asB)).status).toBe(403);
    const search = await query('/payments', asB);
    expect(search.status).toBe(200);
    expect(search.body.total).toBe(0);
    const events = await query('/events', asB);
    expect(events.status).toBe(200);
    expect(events.body.items).toEqual([]);
    const ownSearch = await query('/payments', asA);
    expect(ownSearch.body.items.map((item: { paymentId: string }) => item.paymentId)).toContain(payment.paymentId);
    const ownEvents = await query('/events', asA);
    expect(ownEvents.body.items.length).toBeGreaterThan(0);
  });

  it('filter timelines to the caller\'s organizations', async () => {
    expect((await query(`/timeline/${correlationId}`, asA)).body.items.length).toBeGreaterThan(0);
    const forB = await query(`/timeline/${correlationId}`, asB);
    expect(forB.status).toBe(200);
    expect(forB.body.items).toEqual([]);
  });

  it('refuse reports on it, and hide its reports', async () => {
    const range = { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() };
    const post = (body: unknown, headers: Record<string, string>) => call(stack.queryUrl, 'POST', '/reports', { body, headers });
    expect((await post({ kind: 'payment-statistics', organizationId: orgA, ...range }, asB)).status).toBe(403);
    expect((await post({ kind: 'payment-export-csv', filter: { organizationId: orgA } }, asB)).status).toBe(403);
    const own = await post({ kind: 'payment-statistics', organizationId: orgA, ...range }, asA);
    expect(own.status).toBe(202);
    expect((await call(stack.queryUrl, 'GET', `/reports/${own.body.reportId}`, { headers: asA })).status).toBe(200);
    expect((await call(stack.queryUrl, 'GET', `/reports/${own.body.reportId}`, { headers: asB })).status).toBe(404);
  });
});

describe('admin routes', () => {
  it('answer 403 without the admin role; GET /projections needs only a token', async () => {
    for (const action of ['rebuild', 'resume', 'dead-letters/retry']) {
      expect((await call(stack.queryUrl, 'POST', `/projections/${PROJECTIONS.payments}/${action}`, { headers: asA })).status).toBe(403);
    }
    const range = `from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date().toISOString()}`;
    expect((await call(stack.queryUrl, 'GET', `/analytics/events?${range}`, { headers: asA })).status).toBe(403);
    const eventTypes = await call(stack.queryUrl, 'POST', '/reports', { body: { kind: 'event-types', from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date().toISOString() }, headers: asA });
    expect(eventTypes.status).toBe(403);
    expect((await call(stack.queryUrl, 'GET', '/projections', { headers: asA })).status).toBe(200);
  });
});
