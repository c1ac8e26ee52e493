/**
 * The query cache seen from outside, over real HTTP on the whole in-process stack: a repeated read is
 * a cache hit, and a read carrying the position of the client's own PATCH never gets the cached
 * pre-PATCH view, however warm the cache was.
 */
import { randomUUID } from 'node:crypto';
import { answer, apiClients, call, grantOrganizations, type ApiClients } from './support/http-client';
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;
let api: ApiClients;
const org = grantOrganizations(`org-${randomUUID().slice(0, 8)}`);

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClients(stack);
  // Generous: the workflow bundles are built on a machine shared with other test runs.
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

const cacheStats = async () => (await answer(api.query.GET('/cache/stats'))).body;
/** Read-your-writes headers; a generous wait, as the whole stack shares the machine with other test files. */
const after = (position: string) => ({ 'x-min-position': position, 'x-wait-ms': '10000' });
const view = (paymentId: string, header: { 'x-min-position'?: string; 'x-wait-ms'?: string } = {}) =>
  answer(api.query.GET('/payments/{paymentId}', { params: { path: { paymentId }, header } }));

async function createPayment(): Promise<{ paymentId: string; position: string }> {
  const created = await answer(
    api.command.POST('/payments', {
      body: { organizationId: org, amount: '10.00', currency: 'EUR', description: 'created' },
    }),
  );
  expect(created.status).toBe(201);
  return created.body;
}

describe('the query cache over HTTP', () => {
  it('answers a repeated GET /payments/{id} from the cache', async () => {
    const { paymentId, position } = await createPayment();
    const first = await view(paymentId, after(position));
    expect(first.status).toBe(200);
    const before = await cacheStats();
    const second = await view(paymentId);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    const now = await cacheStats();
    expect(now.l1.hits).toBe(before.l1.hits + 1);
    expect(now.queries['payment-view'].bySource.l1.count).toBeGreaterThanOrEqual(1);
    expect(now.hitRate).toBeGreaterThan(0);
  });

  it('shows every PATCH to the client that sends its position, over 20 rounds on a warm cache', async () => {
    const { paymentId, position } = await createPayment();
    // Warm both levels with the view as created.
    await view(paymentId, after(position));
    await view(paymentId);
    for (let round = 1; round <= 20; round += 1) {
      const patched = await answer(
        api.command.PATCH('/payments/{paymentId}', {
          params: { path: { paymentId } },
          body: { description: `round ${round}` },
        }),
      );
      expect(patched.status).toBe(200);
      const fresh = await view(paymentId, after(patched.body.position));
      expect(fresh.status).toBe(200);
      expect(fresh.body).toMatchObject({ description: `round ${round}`, version: patched.body.version });
      expect(fresh.headers.get('etag')).toBe(`"${patched.body.version}"`);
      expect(BigInt(fresh.headers.get('x-projection-position') ?? '0')).toBeGreaterThanOrEqual(
        BigInt(patched.body.position),
      );
      // And the read right after, without a position, is served the new view too (from the cache).
      const again = await view(paymentId);
      expect(again.body).toMatchObject({ description: `round ${round}` });
    }
  });

  it('answers GET /cache/stats with its documented shape', async () => {
    const response = await answer(api.query.GET('/cache/stats'));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      l1: {
        hits: expect.any(Number),
        misses: expect.any(Number),
        entries: expect.any(Number),
        bytes: expect.any(Number),
      },
      l2: {
        hits: expect.any(Number),
        misses: expect.any(Number),
        errors: expect.any(Number),
        bypassed: expect.any(Number),
      },
      hitRate: expect.any(Number),
      invalidations: expect.any(Number),
      invalidatedEntries: expect.any(Number),
      flushes: expect.any(Number),
      coalesced: expect.any(Number),
      errors: expect.any(Number),
      queries: {
        'payment-view': { count: expect.any(Number), averageMs: expect.any(Number), bySource: expect.any(Object) },
      },
    });
    expect(response.body.hitRate).toBeGreaterThanOrEqual(0);
    expect(response.body.hitRate).toBeLessThanOrEqual(1);
    // Announcements of the projection reached this instance's L1.
    expect(response.body.invalidations).toBeGreaterThan(0);
    // The document itself is not one of its operations: plain fetch.
    const openapi = (await call(stack.queryUrl, 'GET', '/openapi.json')).body;
    expect(openapi.paths['/cache/stats'].get).toMatchObject({ operationId: 'getCacheStats', tags: ['cache'] });
  });
});
