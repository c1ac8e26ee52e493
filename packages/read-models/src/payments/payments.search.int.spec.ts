/**
 * The payment search against a reference: rows are inserted directly (several organizations,
 * statuses and currencies, many equal created_at values, some differing only in microseconds), and
 * for a table of filter / sort / order / page-size combinations the full cursor walk must equal the
 * same selection and order computed here in plain TypeScript, with `total` its length. Then a walk
 * while another task keeps inserting: no payment twice, every payment of the start exactly once.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { PaymentSearchCriteria } from '@gyroscops/contracts';
import { createTestEnvironment, waitFor, type TestEnvironment } from '@gyroscops/dev-infra';
import { PAYMENT_STATUSES, type PaymentStatus } from '@gyroscops/domain';
import { createDatabase, runMigrations } from '@gyroscops/platform';
import { readModelMigrations } from '../migrations';
import { countPayments, isValidPaymentSearchKey, searchPayments, type PaymentSearchKey } from './payments.search';
import type { NewPaymentRow, PaymentReadTables } from './payments.table';

let env: TestEnvironment;
let db: Kysely<PaymentReadTables>;
/** A second pool: the concurrent writer must not queue behind the walk's connection. */
let writerDb: Kysely<PaymentReadTables>;

beforeAll(async () => {
  env = await createTestEnvironment();
  db = createDatabase<PaymentReadTables>({ url: env.readDatabaseUrl, maxConnections: 4 });
  writerDb = createDatabase<PaymentReadTables>({ url: env.readDatabaseUrl, maxConnections: 2 });
  await runMigrations(db, readModelMigrations);
  await insert(db, seedRows());
});

afterAll(async () => {
  await Promise.all([db?.destroy(), writerDb?.destroy()]);
  await env?.dispose();
});

/** What the test knows of a row: created_at as a fixed-width microsecond string, so string order is time order. */
interface Reference {
  paymentId: string;
  organizationId: string;
  status: PaymentStatus;
  currency: string;
  amountMinor: bigint;
  createdAt: string;
}
const reference: Reference[] = [];

const ORGANIZATIONS = ['org-a', 'org-b', 'org-c'];
const CURRENCIES = ['EUR', 'JPY', 'BHD'];
/** A small seeded generator: the data set is the same on every run, so a failure can be replayed. */
function generator(seed: number) {
  let state = seed;
  return (bound: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state % bound;
  };
}
const pick = <T>(random: (bound: number) => number, values: readonly T[]): T => values[random(values.length)]!;

const BASE = Date.UTC(2026, 0, 1);
/** `slot` picks one of few instants, so many rows share a created_at; `micros` sets sub-millisecond digits. */
const instantOf = (slot: number, micros = 0) =>
  `${new Date(BASE + slot * 60_000).toISOString().slice(0, -1)}${String(micros).padStart(3, '0')}Z`;

function row(reference: Reference): NewPaymentRow {
  return {
    payment_id: reference.paymentId,
    organization_id: reference.organizationId,
    user_id: 'user-1',
    amount_minor: reference.amountMinor.toString(),
    currency: reference.currency,
    status: reference.status,
    description: null,
    refunded_minor: '0',
    metadata: '{}',
    failure_reason: null,
    gateway_reference: null,
    created_at: reference.createdAt,
    updated_at: reference.createdAt,
    version: 2,
    last_position: '1',
  };
}

async function insert(target: Kysely<PaymentReadTables>, rows: Reference[]): Promise<void> {
  reference.push(...rows);
  await target.insertInto('payments').values(rows.map(row)).execute();
}

function seedRows(): Reference[] {
  const random = generator(42);
  return Array.from({ length: 400 }, (_, index) => ({
    paymentId: randomUUID(),
    organizationId: pick(random, ORGANIZATIONS),
    status: pick(random, PAYMENT_STATUSES),
    currency: pick(random, CURRENCIES),
    // Few distinct amounts too: ties on amount are ordered by payment id.
    amountMinor: BigInt(1 + random(40) * 250),
    // 30 instants for 400 rows; every fifth row differs from its slot by microseconds only.
    createdAt: instantOf(random(30), index % 5 === 0 ? 1 + random(999) : 0),
  }));
}

// ---- the reference search, in plain TypeScript -------------------------------------------------

const compare = (a: string | bigint, b: string | bigint) => (a < b ? -1 : a > b ? 1 : 0);

function sortKey(reference: Reference, sort: PaymentSearchCriteria['sort']): (string | bigint)[] {
  switch (sort) {
    case 'createdAt':
      return [reference.createdAt, reference.paymentId];
    case 'amount':
      return [reference.currency, reference.amountMinor, reference.paymentId];
    case 'status':
      return [reference.status, reference.createdAt, reference.paymentId];
  }
}

/** What the search must return, in order: filtered, sorted by the sort key with payment id last. */
function expected(rows: readonly Reference[], criteria: PaymentSearchCriteria): string[] {
  const toMicros = (iso: string) => `${new Date(iso).toISOString().slice(0, -1)}000Z`;
  const matches = rows.filter(
    (r) =>
      (criteria.organizationId === undefined || r.organizationId === criteria.organizationId) &&
      (criteria.statuses === undefined || criteria.statuses.includes(r.status)) &&
      (criteria.currency === undefined || r.currency === criteria.currency) &&
      (criteria.minAmountMinor === undefined || r.amountMinor >= BigInt(criteria.minAmountMinor)) &&
      (criteria.maxAmountMinor === undefined || r.amountMinor <= BigInt(criteria.maxAmountMinor)) &&
      (criteria.createdFrom === undefined || r.createdAt >= toMicros(criteria.createdFrom)) &&
      (criteria.createdTo === undefined || r.createdAt < toMicros(criteria.createdTo)),
  );
  const direction = criteria.order === 'asc' ? 1 : -1;
  return matches
    .sort((a, b) => {
      const [ka, kb] = [sortKey(a, criteria.sort), sortKey(b, criteria.sort)];
      for (let i = 0; i < ka.length; i += 1) {
        const order = compare(ka[i]!, kb[i]!);
        if (order !== 0) return order * direction;
      }
      return 0;
    })
    .map((r) => r.paymentId);
}

/** Every page from the first to the last, following nextKey. */
async function walk(criteria: PaymentSearchCriteria, limit: number, between?: () => Promise<void>) {
  const ids: string[] = [];
  let after: PaymentSearchKey | undefined;
  let pages = 0;
  for (;;) {
    const page = await searchPayments(db, criteria, { limit, after });
    pages += 1;
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((item) => item.paymentId));
    if (page.nextKey === null) break;
    expect(page.items).toHaveLength(limit);
    after = page.nextKey;
    await between?.();
    if (pages > 10_000) throw new Error('the walk does not end');
  }
  return { ids, pages };
}

const at = (slot: number) => new Date(BASE + slot * 60_000).toISOString();

const cases: [string, PaymentSearchCriteria, number][] = [
  ['everything, newest first', { sort: 'createdAt', order: 'desc' }, 20],
  ['everything, oldest first, one by one', { sort: 'createdAt', order: 'asc' }, 1],
  ['one organization by creation', { organizationId: 'org-a', sort: 'createdAt', order: 'asc' }, 7],
  [
    'a status list, newest first',
    { organizationId: 'org-b', statuses: ['failed', 'pending'], sort: 'createdAt', order: 'desc' },
    5,
  ],
  ['by amount (grouped by currency), ascending', { organizationId: 'org-a', sort: 'amount', order: 'asc' }, 9],
  [
    'a currency and an amount range, by amount descending',
    {
      organizationId: 'org-a',
      currency: 'EUR',
      minAmountMinor: '1000',
      maxAmountMinor: '6000',
      sort: 'amount',
      order: 'desc',
    },
    4,
  ],
  [
    'an amount range exactly on stored values',
    { currency: 'JPY', minAmountMinor: '251', maxAmountMinor: '251', sort: 'createdAt', order: 'asc' },
    3,
  ],
  ['one status, by status', { statuses: ['processed'], sort: 'status', order: 'asc' }, 11],
  ['by status descending', { organizationId: 'org-c', sort: 'status', order: 'desc' }, 13],
  ['every status by status', { statuses: [...PAYMENT_STATUSES].sort(), sort: 'status', order: 'asc' }, 200],
  [
    'a creation range (from inclusive, to exclusive)',
    { organizationId: 'org-a', createdFrom: at(5), createdTo: at(12), sort: 'createdAt', order: 'asc' },
    6,
  ],
  ['a creation range by amount', { createdFrom: at(10), createdTo: at(20), sort: 'amount', order: 'desc' }, 17],
  [
    'a currency with a minimum, newest first',
    { currency: 'BHD', minAmountMinor: '5000', sort: 'createdAt', order: 'desc' },
    8,
  ],
  ['everything by amount, one page', { sort: 'amount', order: 'asc' }, 1000],
  ['nothing matches', { organizationId: 'org-unknown', sort: 'createdAt', order: 'desc' }, 10],
  ['an empty status list matches nothing', { statuses: [], sort: 'createdAt', order: 'desc' }, 10],
];

describe('searchPayments', () => {
  it.each(cases)('%s: the cursor walk equals the reference, total its length', async (_name, criteria, limit) => {
    const want = expected(reference, criteria);
    const { ids, pages } = await walk(criteria, limit);
    expect(ids).toEqual(want);
    expect(pages).toBe(Math.max(1, Math.ceil(want.length / limit)));
    expect(await countPayments(db, criteria)).toBe(want.length);
  });

  it('the data set really has ties: equal created_at, equal amounts, sub-millisecond differences', () => {
    const count = (values: string[]) => values.length - new Set(values).size;
    expect(count(reference.map((r) => r.createdAt))).toBeGreaterThan(300);
    expect(count(reference.map((r) => `${r.currency}:${r.amountMinor}`))).toBeGreaterThan(250);
    expect(reference.some((r) => !r.createdAt.endsWith('000Z'))).toBe(true);
  });

  it('answers rows as payment views', async () => {
    const page = await searchPayments(
      db,
      { organizationId: 'org-b', currency: 'JPY', sort: 'amount', order: 'asc' },
      { limit: 1 },
    );
    const [first] = expected(reference, { organizationId: 'org-b', currency: 'JPY', sort: 'amount', order: 'asc' });
    const source = reference.find((r) => r.paymentId === first)!;
    expect(page.items).toEqual([
      expect.objectContaining({
        paymentId: first,
        organizationId: 'org-b',
        currency: 'JPY',
        amount: source.amountMinor.toString(),
        status: source.status,
        deleted: false,
      }),
    ]);
  });

  it('takes limits from 1 to 1000 only', async () => {
    const criteria: PaymentSearchCriteria = { sort: 'createdAt', order: 'asc' };
    await expect(searchPayments(db, criteria, { limit: 0 })).rejects.toThrow(RangeError);
    await expect(searchPayments(db, criteria, { limit: 1001 })).rejects.toThrow(RangeError);
    await expect(searchPayments(db, criteria, { limit: 2.5 })).rejects.toThrow(RangeError);
    expect((await searchPayments(db, criteria, { limit: 1000 })).items).toHaveLength(reference.length);
  });

  it('refuses amount bounds without a currency and keys of another sort', async () => {
    await expect(
      searchPayments(db, { minAmountMinor: '1', sort: 'createdAt', order: 'asc' }, { limit: 5 }),
    ).rejects.toThrow(/currency/);
    await expect(countPayments(db, { maxAmountMinor: '1', sort: 'createdAt', order: 'asc' })).rejects.toThrow(
      /currency/,
    );
    const { nextKey } = await searchPayments(db, { sort: 'amount', order: 'asc' }, { limit: 5 });
    expect(isValidPaymentSearchKey('amount', nextKey!)).toBe(true);
    expect(isValidPaymentSearchKey('createdAt', nextKey!)).toBe(false);
    await expect(searchPayments(db, { sort: 'status', order: 'asc' }, { limit: 5, after: nextKey! })).rejects.toThrow(
      RangeError,
    );
  });

  it('a cursor walk while rows keep being inserted returns every row of the start exactly once', async () => {
    const organizationId = 'org-live';
    const random = generator(7);
    const newRow = (): Reference => ({
      paymentId: randomUUID(),
      organizationId,
      status: pick(random, PAYMENT_STATUSES),
      currency: 'EUR',
      amountMinor: BigInt(1 + random(20) * 100),
      // The same few instants as the rows of the start: new rows land before, after and among them.
      createdAt: instantOf(random(20), random(3)),
    });
    await insert(db, Array.from({ length: 300 }, newRow));
    const atStart = new Set(reference.filter((r) => r.organizationId === organizationId).map((r) => r.paymentId));

    let writing = true;
    let inserted = 0;
    const writer = (async () => {
      while (writing) {
        await insert(writerDb, Array.from({ length: 3 }, newRow));
        inserted += 3;
      }
    })();
    try {
      for (const criteria of [
        { organizationId, sort: 'createdAt', order: 'asc' },
        { organizationId, sort: 'amount', order: 'desc' },
        { organizationId, statuses: ['pending', 'processed', 'refunded'], sort: 'status', order: 'asc' },
      ] satisfies PaymentSearchCriteria[]) {
        const insertedBefore = inserted;
        // Between pages, wait for the writer's next insert: inserts interleave with the walk by construction.
        const nextInsert = async () => {
          const before = inserted;
          await waitFor('the writer to insert more rows', async () => inserted > before, { intervalMs: 1 });
        };
        const { ids } = await walk(criteria, 10, nextInsert);
        expect(inserted).toBeGreaterThan(insertedBefore);
        expect(new Set(ids).size).toBe(ids.length);
        const matchingAtStart = new Set(expected(reference, criteria).filter((id) => atStart.has(id)));
        const seen = ids.filter((id) => atStart.has(id));
        expect(new Set(seen)).toEqual(matchingAtStart);
        expect(seen).toHaveLength(matchingAtStart.size);
      }
    } finally {
      writing = false;
      await writer;
    }
  });
});
