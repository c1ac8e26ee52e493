/**
 * The `invoiceId` filter of the payment search (an invoice's payments are its attempts) and the
 * complete check of a keyset key: every part as its column holds it, so a forged cursor is refused
 * before it reaches SQL (an int8 overflow or an instant Postgres cannot store would be a 500 there).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { PaymentSearchCriteria } from '@gyroscops/contracts';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import { createDatabase, runMigrations } from '@gyroscops/platform';
import { readModelMigrations } from '../migrations';
import { countPayments, isValidPaymentSearchKey, searchPayments } from './payments.search';
import type { NewPaymentRow, PaymentReadTables } from './payments.table';

let env: TestEnvironment;
let db: Kysely<PaymentReadTables>;

beforeAll(async () => {
  env = await createTestEnvironment();
  db = createDatabase<PaymentReadTables>({ url: env.readDatabaseUrl });
  await runMigrations(db, readModelMigrations);
});

afterAll(async () => {
  await db?.destroy();
  await env?.dispose();
});

const row = (invoiceId: string | null, second: number): NewPaymentRow => ({
  payment_id: randomUUID(),
  organization_id: 'org-billing',
  user_id: 'billing',
  amount_minor: '1234',
  currency: 'EUR',
  status: 'failed',
  description: null,
  refunded_minor: '0',
  metadata: '{}',
  invoice_id: invoiceId,
  failure_reason: 'card_declined',
  gateway_reference: null,
  created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
  updated_at: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
  version: 2,
  last_position: '1',
});

describe('payment search by invoice', () => {
  it('answers exactly the payments of that invoice, with their invoiceId in the view', async () => {
    const invoice = randomUUID();
    const other = randomUUID();
    const attempts = [row(invoice, 1), row(invoice, 2), row(invoice, 3)];
    await db
      .insertInto('payments')
      .values([...attempts, row(other, 4), row(null, 5)])
      .execute();

    const criteria: PaymentSearchCriteria = { invoiceId: invoice, sort: 'createdAt', order: 'asc' };
    const first = await searchPayments(db, criteria, { limit: 2 });
    const second = await searchPayments(db, criteria, { limit: 2, after: first.nextKey! });
    expect([...first.items, ...second.items].map((view) => view.paymentId)).toEqual(attempts.map((r) => r.payment_id));
    expect(second.nextKey).toBeNull();
    expect(first.items.every((view) => view.invoiceId === invoice)).toBe(true);
    expect(await countPayments(db, criteria)).toBe(3);
    expect(await countPayments(db, { invoiceId: randomUUID(), sort: 'createdAt', order: 'desc' })).toBe(0);

    const own = await searchPayments(
      db,
      { organizationId: 'org-billing', sort: 'createdAt', order: 'desc' },
      { limit: 1 },
    );
    expect(own.items[0]).toMatchObject({ invoiceId: null });
  });
});

describe('isValidPaymentSearchKey', () => {
  const id = randomUUID();
  it.each([
    ['an amount past int8', 'amount', ['EUR', '9223372036854775808', id]],
    ['an amount of 19 nines', 'amount', ['EUR', '9999999999999999999', id]],
    ['February 30', 'createdAt', ['2026-02-30T00:00:00.000000Z', id]],
    ['year 0', 'createdAt', ['0000-01-01T00:00:00.000000Z', id]],
    ['a leap second', 'status', ['failed', '2016-12-31T23:59:60.000000Z', id]],
    ['hour 24', 'createdAt', ['2026-01-01T24:00:00.000000Z', id]],
    ['an upper-case payment id', 'createdAt', ['2026-01-01T00:00:00.000000Z', id.toUpperCase()]],
  ] as const)('refuses %s', async (_name, sort, key) => {
    expect(isValidPaymentSearchKey(sort, key)).toBe(false);
    await expect(searchPayments(db, { sort, order: 'asc' }, { limit: 1, after: key })).rejects.toThrow(RangeError);
  });

  it('accepts the largest int8 and the last supported instant', () => {
    expect(isValidPaymentSearchKey('amount', ['EUR', '9223372036854775807', id])).toBe(true);
    expect(isValidPaymentSearchKey('createdAt', ['9999-12-31T23:59:59.999999Z', id])).toBe(true);
  });

  it('refuses an amount bound past int8 as criteria', async () => {
    await expect(
      countPayments(db, { currency: 'EUR', minAmountMinor: '9223372036854775808', sort: 'createdAt', order: 'asc' }),
    ).rejects.toThrow(RangeError);
  });
});
