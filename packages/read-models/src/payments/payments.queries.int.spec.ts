/**
 * Proves the payment view lookup (the query behind every cache miss of GET /payments/{id}) runs as a
 * named prepared statement: on one connection Postgres holds it once and counts every later call,
 * and a statement without the hint is not prepared.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import { createDatabase, runMigrations } from '@gyroscops/platform';
import { readModelMigrations } from '../migrations';
import { findPaymentView } from './payments.queries';
import type { PaymentReadTables } from './payments.table';

let env: TestEnvironment;
let db: Kysely<PaymentReadTables>;

beforeAll(async () => {
  env = await createTestEnvironment();
  // One connection: pg_prepared_statements is per session.
  db = createDatabase<PaymentReadTables>({ url: env.readDatabaseUrl, maxConnections: 1 });
  await runMigrations(db, readModelMigrations);
});

afterAll(async () => {
  await db?.destroy();
  await env?.dispose();
});

it('findPaymentView is prepared once per connection and reused; other statements are not prepared', async () => {
  for (let call = 0; call < 3; call++) expect(await findPaymentView(db, randomUUID())).toBeUndefined();
  await db.selectFrom('payments').select('payment_id').limit(1).execute();

  const { rows } = await sql<{
    name: string;
    calls: string;
  }>`SELECT name, generic_plans + custom_plans AS calls FROM pg_prepared_statements`.execute(db);
  expect(rows.map((row) => row.name.replace(/_[0-9a-f]{12}$/, ''))).toEqual(['payment_view']);
  expect(Number(rows[0]!.calls)).toBe(3);
});
