import { sql, type Kysely } from 'kysely';

/**
 * The invoice a payment pays (null for a payment of its own), and an index for `GET /payments?invoiceId=`:
 * an invoice has a handful of payments (one per attempt), so a partial index on the column alone,
 * then the default sort's key, answers the search in one range read. Rows written before have no
 * invoice: the payments projection's version 2 rebuilds the table at the worker's next start.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE payments ADD COLUMN invoice_id text`.execute(db);
  await sql`CREATE INDEX payments_invoice_created ON payments (invoice_id, created_at, payment_id) WHERE invoice_id IS NOT NULL`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS payments_invoice_created`.execute(db);
  await sql`ALTER TABLE payments DROP COLUMN invoice_id`.execute(db);
}
