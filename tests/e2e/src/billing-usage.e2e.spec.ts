import { randomUUID } from 'node:crypto';
import { organizationBillingStreamId } from '@gyroscops/contracts';
import { readStream } from '@gyroscops/event-store';
import { answer, apiClients, bearer, grantOrganizations, malformed, type ApiClients } from './support/http-client';
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;
let api: ApiClients;
// Billed organizations are named by lower-case UUIDs (one spelling, one billing stream).
const organizations = {
  main: randomUUID(),
  noPlan: randomUUID(),
  planChange: randomUUID(),
  idempotency: randomUUID(),
};
grantOrganizations(...Object.values(organizations));
/** An organization nobody's token names. */
const foreignOrganization = randomUUID();

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClients(stack);
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

type PlanBody = {
  currency: string;
  cycle: string;
  baseFee?: string | null;
  meters: Record<string, { unitPrice: string; aggregation: 'sum' | 'count' | 'max' }>;
  dunning?: string[];
};
type UsageRecord = {
  recordId: string;
  organizationId: string;
  meter: string;
  quantity: string;
  occurredAt: string;
  resourceId?: string | null;
  properties?: Record<string, string>;
};

const PLAN: PlanBody = {
  currency: 'EUR',
  cycle: 'P1M',
  baseFee: '10.00',
  meters: {
    cpu_seconds: { unitPrice: '0.000012', aggregation: 'sum' },
    'egress.gb': { unitPrice: '0.05', aggregation: 'max' },
  },
};

const setPlan = (organizationId: string, body: PlanBody, headers: Record<string, string> = {}, key?: string) =>
  answer(
    api.command.PUT('/organizations/{organizationId}/billing-plan', {
      params: { path: { organizationId }, header: key ? { 'idempotency-key': key } : {} },
      body,
      headers,
    }),
  );
const sendUsage = (records: UsageRecord[], key?: string, headers: Record<string, string> = {}) =>
  answer(
    api.command.POST('/usage', {
      params: { header: key ? { 'idempotency-key': key } : {} },
      body: { records },
      headers,
    }),
  );

const record = (organizationId: string, overrides: Partial<UsageRecord> = {}): UsageRecord => ({
  recordId: randomUUID(),
  organizationId,
  meter: 'cpu_seconds',
  quantity: '1.5',
  occurredAt: new Date().toISOString(),
  ...overrides,
});

/** The organization's billing events as stored, to check what a refused request left behind. */
const storedEvents = (organizationId: string) =>
  readStream(stack.eventStore, organizationBillingStreamId(organizationId));
const storedRecordIds = async (organizationId: string) =>
  (await storedEvents(organizationId))
    .filter((event) => event.type === 'UsageRecorded')
    .flatMap((event) => (event.data.records as { recordId: string }[]).map((r) => r.recordId));

describe('billing plan and usage through the command-api', () => {
  beforeAll(async () => {
    const set = await setPlan(organizations.main, PLAN);
    expect(set.status).toBe(200);
  });

  it('sets a first plan that bills from now, on version 1 of the organization billing stream', async () => {
    const organizationId = randomUUID();
    grantOrganizations(organizationId);
    const before = Date.now();
    const set = await setPlan(organizationId, PLAN);

    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ organizationId, version: 1 });
    const effectiveFrom = Date.parse((set.body as { effectiveFrom: string }).effectiveFrom);
    expect(effectiveFrom).toBeGreaterThanOrEqual(before - 1000);
    expect(effectiveFrom).toBeLessThanOrEqual(Date.now());
    expect((await storedEvents(organizationId)).map((event) => event.type)).toEqual(['BillingPlanSet']);
  });

  it('accepts a batch, counts it again as duplicates, and a half new batch as half of each', async () => {
    const batch = [
      record(organizations.main),
      record(organizations.main),
      record(organizations.main, { meter: 'egress.gb' }),
    ];

    const first = await sendUsage(batch);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ organizationId: organizations.main, accepted: 3, duplicates: 0 });

    const again = await sendUsage(batch);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 3 });

    const fresh = [record(organizations.main), record(organizations.main)];
    const half = await sendUsage([batch[0] as UsageRecord, ...fresh, batch[2] as UsageRecord]);
    expect(half.status).toBe(202);
    expect(half.body).toMatchObject({ accepted: 2, duplicates: 2 });

    // Each record stored once, whatever came back.
    const stored = await storedRecordIds(organizations.main);
    const sent = [...batch, ...fresh].map((r) => r.recordId);
    expect(stored.filter((id) => sent.includes(id)).sort()).toEqual([...sent].sort());
  });

  it('counts a record repeated within one batch once', async () => {
    const repeated = record(organizations.main);
    const sent = await sendUsage([repeated, { ...repeated }]);

    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ accepted: 1, duplicates: 1 });
  });

  it('accepts every record exactly once when batches with overlapping record ids race', async () => {
    const organizationId = randomUUID();
    grantOrganizations(organizationId);
    expect((await setPlan(organizationId, PLAN)).status).toBe(200);
    const records = Array.from({ length: 40 }, () => record(organizationId));
    // Six batches of 15 records, each sliding 5 along: most records are in three batches at once.
    const batches = Array.from({ length: 6 }, (_, i) => records.slice(i * 5, i * 5 + 15));

    const answers = await Promise.all(batches.map((batch) => sendUsage(batch)));

    expect(answers.map((a) => a.status)).toEqual(batches.map(() => 202));
    // How we know: the accepted counts add up to the number of distinct records, every batch
    // counts its other records as duplicates, and the stored events hold each record id once.
    const distinct = new Set(batches.flat().map((r) => r.recordId));
    const bodies = answers.map((a) => a.body as { accepted: number; duplicates: number });
    expect(bodies.reduce((sum, b) => sum + b.accepted, 0)).toBe(distinct.size);
    bodies.forEach((b, i) => expect(b.accepted + b.duplicates).toBe(batches[i]?.length));
    const stored = await storedRecordIds(organizationId);
    expect(stored).toHaveLength(distinct.size);
    expect(new Set(stored)).toEqual(distinct);

    // The latest append left a snapshot at the stream's version, whose usage counts every record.
    const events = await storedEvents(organizationId);
    const snapshot = await stack.eventStore
      .selectFrom('stream_snapshots')
      .select(['version', 'state'])
      .where('stream_id', '=', organizationBillingStreamId(organizationId))
      .executeTakeFirstOrThrow();
    expect(snapshot.version).toBe(events.length);
    const usage = (snapshot.state as { usage: [string, { count: number; sum: string }][] }).usage;
    expect(usage).toEqual([
      ['cpu_seconds', { count: distinct.size, sum: String(distinct.size * 1.5 * 1e12), max: '1500000000000' }],
    ]);
  });

  it('refuses a batch with one bad record as a whole, naming its index, and stores nothing', async () => {
    const before = await storedEvents(organizations.main);
    const good = [record(organizations.main), record(organizations.main)];
    const bad = await sendUsage(
      malformed([...good, record(organizations.main, { quantity: '-1' }), record(organizations.main)]),
    );

    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(bad.body.errors)).toContain('/records/2/quantity');
    expect(await storedEvents(organizations.main)).toHaveLength(before.length);

    // Too many decimals is caught as well, at its index.
    const precise = await sendUsage([
      record(organizations.main),
      record(organizations.main, { quantity: '0.0000000000001' }),
    ]);
    expect(precise.status).toBe(400);
    expect(JSON.stringify(precise.body.errors)).toContain('/records/1/quantity');
    // The good records were not accepted either: they are new when sent on their own.
    const alone = await sendUsage(good);
    expect(alone.body).toMatchObject({ accepted: 2, duplicates: 0 });
  });

  it("refuses a meter the organization's plan does not have, naming the record, and stores nothing", async () => {
    const before = await storedEvents(organizations.main);
    const unknown = await sendUsage([record(organizations.main), record(organizations.main, { meter: 'gpu_seconds' })]);

    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ path: '/records/1/meter' })]);
    expect(await storedEvents(organizations.main)).toHaveLength(before.length);
  });

  it('refuses a batch over 1,000 records, and takes one of 1,000 (over the 64 KiB other bodies are held to)', async () => {
    const many = Array.from({ length: 1000 }, () =>
      record(organizations.main, { properties: { region: 'eu-west-1' } }),
    );
    const tooMany = await sendUsage(malformed([...many, record(organizations.main)]));
    expect(tooMany.status).toBe(400);

    const full = await sendUsage(many);
    expect(full.status).toBe(202);
    expect(full.body).toMatchObject({ accepted: 1000, duplicates: 0 });
  });

  it('refuses usage before the organization has a plan', async () => {
    const refused = await sendUsage([record(organizations.noPlan)]);

    expect(refused.status).toBe(409);
    expect(await storedEvents(organizations.noPlan)).toEqual([]);
  });

  it("refuses usage for an organization not in the caller's token, and a batch naming two organizations", async () => {
    const foreign = await sendUsage([record(organizations.main), record(foreignOrganization)]);
    expect(foreign.status).toBe(403);
    expect(await storedEvents(foreignOrganization)).toEqual([]);

    const onlyOther = await sendUsage([record(organizations.main)], undefined, {
      authorization: bearer({ sub: 'someone', orgs: [organizations.noPlan] }),
    });
    expect(onlyOther.status).toBe(403);

    const mixed = await sendUsage([record(organizations.main), record(organizations.noPlan)]);
    expect(mixed.status).toBe(400);
    expect(JSON.stringify(mixed.body.errors)).toContain('/records/1/organizationId');
  });

  it('lets only an admin of the organization set its plan', async () => {
    const refused = await setPlan(
      organizations.main,
      { ...PLAN, baseFee: '99.00' },
      {
        authorization: bearer({ sub: 'not-an-admin', orgs: [organizations.main] }),
      },
    );

    expect(refused.status).toBe(403);
    const plans = (await storedEvents(organizations.main)).filter((event) => event.type === 'BillingPlanSet');
    expect(plans).toHaveLength(1);

    // An admin of other organizations does not see this one.
    const invisible = await setPlan(foreignOrganization, PLAN, {
      authorization: bearer({ sub: 'other-admin', orgs: [organizations.main], roles: ['admin'] }),
    });
    expect(invisible.status).toBe(404);
    expect(await storedEvents(foreignOrganization)).toEqual([]);
  });

  it('refuses a plan the domain finds wrong (a cycle over a year) before any workflow', async () => {
    const refused = await setPlan(organizations.noPlan, { ...PLAN, cycle: 'P2Y' });

    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body.errors)).toContain('/cycle');
    expect(await storedEvents(organizations.noPlan)).toEqual([]);
  });

  it('makes a plan change effective at the next cycle start; the same change again changes nothing', async () => {
    const organizationId = organizations.planChange;
    const first = await setPlan(organizationId, PLAN);
    expect(first.status).toBe(200);
    const start = new Date((first.body as { effectiveFrom: string }).effectiveFrom);
    const nextCycle = new Date(start);
    nextCycle.setUTCMonth(nextCycle.getUTCMonth() + 1);

    const changed = await setPlan(organizationId, { ...PLAN, baseFee: '20.00' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ version: 2 });
    // P1M from the first plan's start (month ends clamp: January 31 + P1M is February 28).
    expect(Date.parse((changed.body as { effectiveFrom: string }).effectiveFrom)).toBeGreaterThan(start.getTime());
    expect(Date.parse((changed.body as { effectiveFrom: string }).effectiveFrom)).toBeLessThanOrEqual(
      nextCycle.getTime(),
    );

    const repeated = await setPlan(organizationId, { ...PLAN, baseFee: '20.00' });
    expect(repeated.status).toBe(200);
    expect(repeated.body).toMatchObject({
      version: 2,
      effectiveFrom: (changed.body as { effectiveFrom: string }).effectiveFrom,
    });
    expect(await storedEvents(organizationId)).toHaveLength(2);
  });

  it('replays an Idempotency-Key: same answer for the same batch, 409 for another batch under the key', async () => {
    const organizationId = organizations.idempotency;
    expect((await setPlan(organizationId, PLAN, {}, `plan-${randomUUID()}`)).status).toBe(200);
    const key = `usage-${randomUUID()}`;
    const batch = [record(organizationId), record(organizationId)];

    const first = await sendUsage(batch, key);
    const replayed = await sendUsage(batch, key);

    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(replayed.status).toBe(202);
    // The stored answer, not a second run (which would count two duplicates).
    expect(replayed.body).toEqual(first.body);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');

    const other = await sendUsage([record(organizationId)], key);
    expect(other.status).toBe(409);
    expect(await storedRecordIds(organizationId)).toHaveLength(2);
  });
});
