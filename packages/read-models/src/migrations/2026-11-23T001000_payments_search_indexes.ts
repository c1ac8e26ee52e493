import type { Kysely } from 'kysely';

/**
 * Indexes for `GET /payments` (read-models/payments/payments.search.ts). Each one is an equality
 * prefix the search filters on, then the sort key and payment_id in the order the keyset walks, so a
 * page is one index range read in order, with no sort step. The first migration already made
 * (organization_id, created_at, payment_id) for an organization's payments by creation time.
 *
 * - status filter or sort=status within an organization: (organization_id, status, created_at, payment_id)
 * - currency and amount range, sort=amount within an organization: (organization_id, currency, amount_minor, payment_id)
 * - searches across organizations by creation time (the default sort): (created_at, payment_id)
 *
 * Plain CREATE INDEX (in the migration's transaction) blocks projection writes while it builds: fine
 * at this size; a large live table would want CREATE INDEX CONCURRENTLY outside a transaction.
 */
const INDEXES: Array<[string, string[]]> = [
  ['payments_org_status_created', ['organization_id', 'status', 'created_at', 'payment_id']],
  ['payments_org_currency_amount', ['organization_id', 'currency', 'amount_minor', 'payment_id']],
  ['payments_created', ['created_at', 'payment_id']],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, columns] of INDEXES) {
    await db.schema.createIndex(name).on('payments').columns(columns).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [name] of INDEXES) {
    await db.schema.dropIndex(name).ifExists().execute();
  }
}
