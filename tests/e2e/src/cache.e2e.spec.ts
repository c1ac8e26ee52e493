/**
 * The query cache seen from outside, over real HTTP on the whole in-process stack: a repeated read is
 * a cache hit, and a read carrying the position of the client's own PATCH never gets the cached
 * pre-PATCH view, however warm the cache was.
 */
import { randomUUID } from 'node:crypto';
import { call, grantOrganizations } from './support/http-client';
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;
const org = grantOrganizations(`org-${randomUUID().slice(0, 8)}`);

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const command = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => call(stack.commandUrl, method, path, { body, headers });
const query = (path: string, headers: Record<string, string> = {}) => call(stack.queryUrl, 'GET', path, { headers });
const cacheStats = async () => (await query('/cache/stats')).body;
/** Read-your-writes headers; a generous wait, as the whole stack shares the machine with other test files. */
const after = (position: string) => ({ 'x-min-position': position, 'x-wait-ms': '10000' });

async function createPayment(): Promise<{ paymentId: string; position: string }> {
  const created = await command('POST', '/payments', { organizationId: org, amount: '10.00', currency: 'EUR', description: 'created' });
  expect(created.status).toBe(201);
  return created.body;
}

describe('the query cache over HTTP', () => {
  it('answers a repeated GET /payments/{id} from the cache', async () => {
    const { paymentId, position } = await createPayment();
    const first = await query(`/payments/${paymentId}`, after(position));
    expect(first.status).toBe(200);
    const before = await cacheStats();
    const second = await query(`/payments/${paymentId}`);
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
    await query(`/payments/${paymentId}`, after(position));
    await query(`/payments/${paymentId}`);
    for (let round = 1; round <= 20; round += 1) {
      const patched = await command('PATCH', `/payments/${paymentId}`, { description: `round ${round}` });
      expect(patched.status).toBe(200);
      const view = await query(`/payments/${paymentId}`, after(patched.body.position));
      expect(view.status).toBe(200);
      expect(view.body).toMatchObject({ description: `round ${round}`, version: patched.body.version });
      expect(view.headers.get('etag')).toBe(`"${patched.body.version}"`);
      expect(BigInt(view.headers.get('x-projection-position') ?? '0')).toBeGreaterThanOrEqual(BigInt(patched.body.position));
      // And the read right after, without a position, is served the new view too (from the cache).
      const again = await query(`/payments/${paymentId}`);
      expect(again.body).toMatchObject({ description: `round ${round}` });
    }
  });

  it('answers GET /cache/stats with its documented shape', async () => {
    const response = await query('/cache/stats');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      l1: { hits: expect.any(Number), misses: expect.any(Number), entries: expect.any(Number), bytes: expect.any(Number) },
      l2: { hits: expect.any(Number), misses: expect.any(Number), errors: expect.any(Number), bypassed: expect.any(Number) },
      hitRate: expect.any(Number),
      invalidations: expect.any(Number),
      invalidatedEntries: expect.any(Number),
      flushes: expect.any(Number),
      coalesced: expect.any(Number),
      errors: expect.any(Number),
      queries: { 'payment-view': { count: expect.any(Number), averageMs: expect.any(Number), bySource: expect.any(Object) } },
    });
    expect(response.body.hitRate).toBeGreaterThanOrEqual(0);
    expect(response.body.hitRate).toBeLessThanOrEqual(1);
    // Announcements of the projection reached this instance's L1.
    expect(response.body.invalidations).toBeGreaterThan(0);
    const openapi = (await query('/openapi.json')).body;
    expect(openapi.paths['/cache/stats'].get).toMatchObject({ operationId: 'getCacheStats', tags: ['cache'] });
  });
});
