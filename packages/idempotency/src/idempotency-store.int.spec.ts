/**
 * Proves the idempotency key store on a real Postgres: one claim wins per (organization, key), even
 * under concurrency; the same request replays (first without, then with the recorded response); a
 * different request is a mismatch; expired keys are taken over and purged, live ones are kept.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createTestEnvironment, waitFor, type TestEnvironment } from '@gyroscops/dev-infra';
import { createDatabase, runMigrations } from '@gyroscops/platform';
import {
  claimIdempotencyKey,
  purgeExpiredIdempotencyKeys,
  recordIdempotentResponse,
  type ClaimRequest,
  type IdempotencyDb,
} from './idempotency-store';
import { idempotencyMigrations } from './migrations';
import type { IdempotencyTables } from './tables';

const DAY_MS = 24 * 60 * 60 * 1000;

let env: TestEnvironment;
let db: IdempotencyDb;

beforeAll(async () => {
  env = await createTestEnvironment();
  // Enough connections for the concurrent claims to really race.
  db = createDatabase<IdempotencyTables>({ url: env.eventStoreDatabaseUrl, maxConnections: 24 });
  await runMigrations(db, idempotencyMigrations);
});

afterAll(async () => {
  await db?.destroy();
  await env?.dispose();
});

/** A claim of a fresh key in a fresh organization, unless `overrides` say otherwise. */
const claimRequest = (overrides: Partial<ClaimRequest> = {}): ClaimRequest => ({
  organizationId: `org-${randomUUID()}`,
  key: `key-${randomUUID()}`,
  requestHash: 'hash-a',
  commandId: randomUUID(),
  ttlMs: DAY_MS,
  ...overrides,
});

const expire = (request: Pick<ClaimRequest, 'organizationId' | 'key'>) =>
  sql`UPDATE idempotency_keys SET expires_at = now() - interval '1 minute'
      WHERE organization_id = ${request.organizationId} AND idempotency_key = ${request.key}`.execute(db);

const rowOf = (request: Pick<ClaimRequest, 'organizationId' | 'key'>) =>
  db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('organization_id', '=', request.organizationId)
    .where('idempotency_key', '=', request.key)
    .executeTakeFirst();

describe('claimIdempotencyKey', () => {
  it('given a new key, when claimed, then it is claimed under the given command id', async () => {
    const request = claimRequest();

    const claim = await claimIdempotencyKey(db, request);

    expect(claim).toEqual({ kind: 'claimed', commandId: request.commandId });
    const row = await rowOf(request);
    expect(row).toMatchObject({ request_hash: 'hash-a', command_id: request.commandId, response_status: null });
    expect(row!.expires_at.getTime()).toBeGreaterThan(Date.now() + DAY_MS - 60_000);
  });

  it('given a claimed key, when the same request comes again, then it replays: no response until one is recorded', async () => {
    const first = claimRequest();
    await claimIdempotencyKey(db, first);
    const retry = { ...first, commandId: randomUUID() };

    expect(await claimIdempotencyKey(db, retry)).toEqual({
      kind: 'replay',
      commandId: first.commandId,
      response: null,
    });

    const body = { paymentId: 'p-1', amount: { value: '12.50', currency: 'EUR' } };
    await recordIdempotentResponse(db, first, { status: 201, body });
    expect(await claimIdempotencyKey(db, retry)).toEqual({
      kind: 'replay',
      commandId: first.commandId,
      response: { status: 201, body },
    });
    expect((await rowOf(first))!.completed_at).toBeInstanceOf(Date);
  });

  it('recording a response under another command id changes nothing', async () => {
    const request = claimRequest();
    await claimIdempotencyKey(db, request);

    await recordIdempotentResponse(
      db,
      { ...request, commandId: randomUUID() },
      { status: 200, body: { stolen: true } },
    );

    expect(await claimIdempotencyKey(db, request)).toEqual({
      kind: 'replay',
      commandId: request.commandId,
      response: null,
    });
  });

  it('given a claimed key, when another request uses it, then it is a mismatch and the key keeps its first request', async () => {
    const first = claimRequest();
    await claimIdempotencyKey(db, first);

    const other = await claimIdempotencyKey(db, { ...first, requestHash: 'hash-b', commandId: randomUUID() });

    expect(other).toEqual({ kind: 'mismatch', commandId: first.commandId });
    expect(await rowOf(first)).toMatchObject({ request_hash: 'hash-a', command_id: first.commandId });
  });

  it('20 concurrent claims of one key: exactly one is claimed and all agree on its command id', async () => {
    const base = claimRequest();
    const requests = Array.from({ length: 20 }, () => ({ ...base, commandId: randomUUID() }));

    const claims = await Promise.all(requests.map((request) => claimIdempotencyKey(db, request)));

    const claimed = claims.filter((claim) => claim.kind === 'claimed');
    expect(claimed).toHaveLength(1);
    expect(claims.filter((claim) => claim.kind === 'replay')).toHaveLength(19);
    expect(new Set(claims.map((claim) => claim.commandId))).toEqual(new Set([claimed[0]!.commandId]));
    expect((await rowOf(base))!.command_id).toBe(claimed[0]!.commandId);
  });

  it('the same key in two organizations is two keys: both are claimed', async () => {
    const key = `key-${randomUUID()}`;
    const a = claimRequest({ key });
    const b = claimRequest({ key, requestHash: 'hash-b' });

    expect(await claimIdempotencyKey(db, a)).toEqual({ kind: 'claimed', commandId: a.commandId });
    expect(await claimIdempotencyKey(db, b)).toEqual({ kind: 'claimed', commandId: b.commandId });
  });

  it('given an expired key with a recorded response, when claimed again, then it is taken over as new', async () => {
    const old = claimRequest();
    await claimIdempotencyKey(db, old);
    await recordIdempotentResponse(db, old, { status: 201, body: { old: true } });
    await expire(old);
    const fresh = { ...old, requestHash: 'hash-b', commandId: randomUUID() };

    expect(await claimIdempotencyKey(db, fresh)).toEqual({ kind: 'claimed', commandId: fresh.commandId });

    const row = await rowOf(old);
    expect(row).toMatchObject({
      request_hash: 'hash-b',
      command_id: fresh.commandId,
      response_status: null,
      response_body: null,
      completed_at: null,
    });
    expect(row!.expires_at.getTime()).toBeGreaterThan(Date.now());
    expect(await claimIdempotencyKey(db, { ...fresh, commandId: randomUUID() })).toEqual({
      kind: 'replay',
      commandId: fresh.commandId,
      response: null,
    });
  });

  it('10 concurrent claims of an expired key: exactly one takes it over', async () => {
    const old = claimRequest();
    await claimIdempotencyKey(db, old);
    await expire(old);

    const claims = await Promise.all(
      Array.from({ length: 10 }, () => claimIdempotencyKey(db, { ...old, commandId: randomUUID() })),
    );

    const claimed = claims.filter((claim) => claim.kind === 'claimed');
    expect(claimed).toHaveLength(1);
    expect(claimed[0]!.commandId).not.toBe(old.commandId);
    expect(new Set(claims.map((claim) => claim.commandId))).toEqual(new Set([claimed[0]!.commandId]));
  });

  it('a key claimed with a 1 ms ttl is taken over once that millisecond has passed', async () => {
    const first = claimRequest({ ttlMs: 1 });
    await claimIdempotencyKey(db, first);
    // Until Postgres' clock (which the takeover compares with) has passed the claim's expiry.
    await waitFor(
      'the 1 ms claim to expire',
      async () =>
        (
          await sql<{ expired: boolean }>`SELECT expires_at < now() AS expired FROM idempotency_keys
      WHERE organization_id = ${first.organizationId} AND idempotency_key = ${first.key}`.execute(db)
        ).rows[0]?.expired,
      { intervalMs: 5 },
    );
    const second = { ...first, commandId: randomUUID() };

    expect(await claimIdempotencyKey(db, second)).toEqual({ kind: 'claimed', commandId: second.commandId });
  });
});

describe('purgeExpiredIdempotencyKeys', () => {
  it('deletes only expired keys and says how many', async () => {
    // Other tests leave expired rows behind: start from none.
    await purgeExpiredIdempotencyKeys(db);
    const expired = [claimRequest(), claimRequest(), claimRequest()];
    const live = [claimRequest(), claimRequest()];
    for (const request of [...expired, ...live]) await claimIdempotencyKey(db, request);
    for (const request of expired) await expire(request);

    expect(await purgeExpiredIdempotencyKeys(db)).toBe(3);

    for (const request of expired) expect(await rowOf(request)).toBeUndefined();
    for (const request of live) expect(await rowOf(request)).toMatchObject({ command_id: request.commandId });
    expect(await purgeExpiredIdempotencyKeys(db)).toBe(0);
  });

  it('deletes at most `limit` keys per call', async () => {
    await purgeExpiredIdempotencyKeys(db);
    const expired = Array.from({ length: 5 }, () => claimRequest());
    for (const request of expired) await claimIdempotencyKey(db, request);
    for (const request of expired) await expire(request);

    expect(await purgeExpiredIdempotencyKeys(db, 2)).toBe(2);
    expect(await purgeExpiredIdempotencyKeys(db, 2)).toBe(2);
    expect(await purgeExpiredIdempotencyKeys(db, 2)).toBe(1);
  });
});
