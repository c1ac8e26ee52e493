import { sql, type Kysely } from 'kysely';

/**
 * The `invoices` read model (read-models/invoices). Its indexes follow `GET /invoices`
 * (read-models/invoices/invoices.queries.ts): an equality prefix the search filters on, then the
 * keyset (period_start, invoice_id) in the order the walk reads it, so a page is one index range.
 *
 * - an organization's invoices: (organization_id, period_start, invoice_id)
 * - a status filter within an organization, and what it owes: (organization_id, status, period_start, invoice_id)
 * - searches across organizations: (period_start, invoice_id)
 */
const INDEXES: Array<[string, string[]]> = [
  ['invoices_org_period', ['organization_id', 'period_start', 'invoice_id']],
  ['invoices_org_status_period', ['organization_id', 'status', 'period_start', 'invoice_id']],
  ['invoices_period', ['period_start', 'invoice_id']],
];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('invoices')
    .addColumn('invoice_id', 'uuid', (column) => column.primaryKey())
    .addColumn('organization_id', 'text', (column) => column.notNull())
    .addColumn('number', 'text', (column) => column.notNull())
    .addColumn('cycle_sequence', 'integer', (column) => column.notNull())
    .addColumn('currency', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('period_start', 'timestamptz', (column) => column.notNull())
    .addColumn('period_end', 'timestamptz', (column) => column.notNull())
    .addColumn('lines', 'jsonb', (column) => column.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('total_minor', 'bigint', (column) => column.notNull())
    .addColumn('amount_paid_minor', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('amount_refunded_minor', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('dunning', 'jsonb', (column) => column.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('payment_ids', 'jsonb', (column) => column.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('payment_in_flight', 'text')
    .addColumn('paid_payment_id', 'text')
    .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('declined_attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz')
    .addColumn('refund_ids', 'jsonb', (column) => column.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('issued_at', 'timestamptz', (column) => column.notNull())
    .addColumn('paid_at', 'timestamptz')
    .addColumn('voided_at', 'timestamptz')
    .addColumn('void_reason', 'text')
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull())
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('stream_version', 'integer', (column) => column.notNull())
    .addColumn('last_position', 'bigint', (column) => column.notNull())
    .execute();
  for (const [name, columns] of INDEXES) {
    await db.schema.createIndex(name).on('invoices').columns(columns).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('invoices').execute();
}
