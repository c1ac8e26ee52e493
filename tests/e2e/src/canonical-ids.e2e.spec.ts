/**
 * One id, one spelling, over real HTTP: a UUID sent in upper case (or as `urn:uuid:`) names the same
 * payment or command as its lower-case form, for every route and every organization. Before ids were
 * canonicalized at the edge, `3202C11A-…` became a stream of its own while the read models (a `uuid`
 * column) lower-cased it: read-your-writes waited for good, another organization could open a second
 * stream under a payment's id and change its own statistics with it, and cached views under the upper
 * case spelling were never invalidated.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { answer, apiClients, bearer, grantOrganizations, type ApiClients } from './support/http-client';
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;
let api: ApiClients;
const orgA = grantOrganizations(`org-a-${randomUUID().slice(0, 8)}`);
const orgB = `org-b-${randomUUID().slice(0, 8)}`;
const asA = { authorization: bearer({ sub: 'user-a', orgs: [orgA] }) };
const asB = { authorization: bearer({ sub: 'user-b', orgs: [orgB] }) };
type As = typeof asA;
/** Read-your-writes headers; a generous wait, as the whole stack shares the machine with other test files. */
const after = (position: string) => ({ 'x-min-position': position, 'x-wait-ms': '10000' });

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClients(stack);
  // Generous: the workflow bundles are built on a machine shared with other test runs.
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

/** A UUID whose spellings surely differ (it has letters). */
const lettered = () => `abcdef${randomUUID().slice(6)}`;

type Created = { commandId: string; paymentId: string; status: string; version: number; position: string };
const create = (
  as: As,
  body: { organizationId: string; amount?: string; paymentId?: string },
  header: { 'idempotency-key'?: string; prefer?: string } = {},
) =>
  answer<Created>(
    api.command.POST('/payments', {
      headers: as,
      body: { amount: '100.00', currency: 'EUR', ...body },
      params: { header },
    }),
  );
const view = (as: As, paymentId: string, header: Record<string, string> = {}, query: { version?: number } = {}) =>
  answer(api.query.GET('/payments/{paymentId}', { headers: as, params: { path: { paymentId }, header, query } }));
const history = (as: As, paymentId: string, position: string) =>
  answer(
    api.query.GET('/payments/{paymentId}/history', {
      headers: as,
      params: { path: { paymentId }, header: after(position) },
    }),
  );
const statistics = (as: As, organizationId: string, position: string) =>
  answer(
    api.query.GET('/statistics/payments', {
      headers: as,
      params: { query: { organizationId }, header: after(position) },
    }),
  );

/** The payment streams whose id is some spelling of this payment id, with their owners. */
async function streamsSpelling(paymentId: string) {
  const { rows } = await sql<{ stream_id: string; organization_id: string | null }>`
    SELECT stream_id, organization_id FROM streams WHERE lower(stream_id) IN (${`payment-${paymentId}`}, ${`payment-urn:uuid:${paymentId}`})`.execute(
    stack.eventStore,
  );
  return rows;
}

describe('a payment id sent in upper case', () => {
  it('is answered and stored in its canonical spelling, and every read in any spelling sees the command that made it', async () => {
    const id = lettered();
    const created = await create(asA, { organizationId: orgA, paymentId: id.toUpperCase() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ paymentId: id, status: 'processed', version: 2 });

    // Read-your-writes: the view at the command's position, whatever the spelling (it stayed pending v1 for good).
    for (const spelling of [id.toUpperCase(), id, `urn:uuid:${id.toUpperCase()}`]) {
      const current = await view(asA, spelling, after(created.body.position));
      expect(current.status).toBe(200);
      expect(current.body).toMatchObject({ paymentId: id, status: 'processed', version: 2 });
      const events = await history(asA, spelling, created.body.position);
      expect(events.status).toBe(200);
      expect(
        events.body.items.map((item: { type: string; data: { paymentId: string } }) => [
          item.type,
          item.data.paymentId,
        ]),
      ).toEqual([
        ['PaymentInitiated', id],
        ['PaymentProcessed', id],
      ]);
    }
    const asOf = await view(asA, id.toUpperCase(), after(created.body.position), { version: 1 });
    expect(asOf.body).toMatchObject({ paymentId: id, status: 'pending', version: 1 });
    expect(await streamsSpelling(id)).toEqual([{ stream_id: `payment-${id}`, organization_id: orgA }]);
  });

  it("from another organization, for an existing payment, gets the answer a duplicate of one's own gets, and changes nothing anywhere", async () => {
    const id = lettered();
    const first = await create(asA, { organizationId: orgA, paymentId: id });
    expect(first.status).toBe(201);
    const statisticsOfB = await statistics(asB, orgB, first.body.position);
    expect(statisticsOfB.status).toBe(200);

    const ownDuplicate = await create(asA, { organizationId: orgA, paymentId: id });
    const fromB = await create(asB, { organizationId: orgB, paymentId: id.toUpperCase(), amount: '7.00' });
    expect(ownDuplicate.status).toBe(409);
    // Nothing tells B the id is another organization's.
    expect(fromB.status).toBe(ownDuplicate.status);
    expect(fromB.body).toEqual(ownDuplicate.body);
    expect(fromB.headers.get('content-type')).toBe(ownDuplicate.headers.get('content-type'));

    // One stream, A's. A refund by A (through the upper-case spelling) changes A's statistics, never B's.
    expect(await streamsSpelling(id)).toEqual([{ stream_id: `payment-${id}`, organization_id: orgA }]);
    const refund = await answer<Created>(
      api.command.POST('/payments/{paymentId}/refunds', {
        headers: asA,
        params: { path: { paymentId: id.toUpperCase() } },
        body: { amount: '100.00' },
      }),
    );
    expect(refund.status).toBe(201);
    expect(refund.body).toMatchObject({ paymentId: id, status: 'refunded', version: 4 });
    const statisticsOfA = await statistics(asA, orgA, refund.body.position);
    expect(statisticsOfA.body.currencies.EUR.byStatus.refunded).toMatchObject({ count: 1 });
    expect((await statistics(asB, orgB, refund.body.position)).body).toEqual(statisticsOfB.body);
  });

  it('names a payment another organization cannot see or change in any spelling: 404 everywhere, nothing appended', async () => {
    const id = lettered();
    const created = await create(asA, { organizationId: orgA, paymentId: id });
    expect(created.status).toBe(201);
    for (const spelling of [id, id.toUpperCase()]) {
      const path = { path: { paymentId: spelling } };
      const attempts = [
        await answer(
          api.command.PATCH('/payments/{paymentId}', { headers: asB, params: path, body: { description: 'mine now' } }),
        ),
        await answer(
          api.command.POST('/payments/{paymentId}/refunds', { headers: asB, params: path, body: { amount: '1.00' } }),
        ),
        await answer(api.command.DELETE('/payments/{paymentId}', { headers: asB, params: path })),
        await view(asB, spelling, after(created.body.position)),
        await view(asB, spelling, after(created.body.position), { version: 1 }),
        await history(asB, spelling, created.body.position),
      ];
      expect(attempts.map((attempt) => attempt.status)).toEqual([404, 404, 404, 404, 404, 404]);
      for (const attempt of attempts)
        expect(attempt.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    const { rows } = await sql<{
      version: number;
    }>`SELECT version FROM streams WHERE stream_id = ${`payment-${id}`}`.execute(stack.eventStore);
    expect(rows).toEqual([{ version: 2 }]);
  });

  it('reaches the same cached view, which a change drops whatever spelling read or changed it', async () => {
    const id = lettered();
    const created = await create(asA, { organizationId: orgA, paymentId: id });
    // Both spellings are read (and cached) before the change.
    expect((await view(asA, id.toUpperCase(), after(created.body.position))).body).toMatchObject({ version: 2 });
    expect((await view(asA, id)).body).toMatchObject({ version: 2 });

    const patched = await answer<Created>(
      api.command.PATCH('/payments/{paymentId}', {
        headers: asA,
        params: { path: { paymentId: id.toUpperCase() } },
        body: { description: 'changed' },
      }),
    );
    expect(patched.status).toBe(200);
    expect((await view(asA, id, after(patched.body.position))).body).toMatchObject({
      description: 'changed',
      version: 3,
    });
    // Without a position: the entry cached under the upper-case spelling is the same entry, dropped by the change.
    const again = await view(asA, id.toUpperCase());
    expect(again.body).toMatchObject({ description: 'changed', version: 3 });
    expect(again.headers.get('etag')).toBe('"3"');
  });
});

describe('other ids', () => {
  it('finds a command under any spelling of its id', async () => {
    const accepted = await create(asA, { organizationId: orgA }, { prefer: 'respond-async' });
    expect(accepted.status).toBe(202);
    const commandId = accepted.body.commandId;
    const upper = await answer(
      api.command.GET('/commands/{commandId}', {
        headers: asA,
        params: { path: { commandId: commandId.toUpperCase() } },
      }),
    );
    expect(upper.status).toBe(200);
    expect(upper.body.commandId).toBe(commandId);
    const other = await answer(
      api.command.GET('/commands/{commandId}', {
        headers: asB,
        params: { path: { commandId: commandId.toUpperCase() } },
      }),
    );
    expect(other.status).toBe(404);
  });

  it('takes a retry whose Idempotency-Key request spells the payment id otherwise for the same request', async () => {
    const id = lettered();
    const key = randomUUID();
    const first = await create(asA, { organizationId: orgA, paymentId: id.toUpperCase() }, { 'idempotency-key': key });
    const retry = await create(asA, { organizationId: orgA, paymentId: id }, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });

  it('keeps correlation ids opaque (not UUIDs): stored, echoed and found exactly as sent', async () => {
    const correlationId = `Trace-${randomUUID().toUpperCase()}`;
    const created = await answer<Created>(
      api.command.POST('/payments', {
        headers: { ...asA, 'x-correlation-id': correlationId },
        body: { organizationId: orgA, amount: '1.00', currency: 'EUR' },
      }),
    );
    expect(created.headers.get('x-correlation-id')).toBe(correlationId);
    const timeline = (id: string) =>
      answer(
        api.query.GET('/timeline/{correlationId}', {
          headers: asA,
          params: { path: { correlationId: id }, header: after(created.body.position) },
        }),
      );
    expect((await timeline(correlationId)).body.items.map((item: { type: string }) => item.type)).toEqual([
      'PaymentInitiated',
      'PaymentProcessed',
    ]);
    expect((await timeline(correlationId.toLowerCase())).body.items).toEqual([]);
  });
});
