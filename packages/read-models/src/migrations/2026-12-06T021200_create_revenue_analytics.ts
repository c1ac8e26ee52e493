import type { Kysely } from 'kysely';

/** The revenue analytics read model (revenue-analytics/revenue-analytics.table.ts). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('revenue_analytics')
    .addColumn('organization_id', 'text', (column) => column.notNull())
    .addColumn('currency', 'text', (column) => column.notNull())
    .addColumn('day', 'timestamptz', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('count', 'bigint', (column) => column.notNull())
    .addColumn('total_minor', 'bigint', (column) => column.notNull())
    .addColumn('paid_minor', 'bigint', (column) => column.notNull())
    .addColumn('refunded_minor', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('revenue_analytics_pk', ['organization_id', 'currency', 'day', 'status'])
    .execute();
  // Every organization's figures (the admin's view) read a range of days.
  await db.schema.createIndex('revenue_analytics_day').on('revenue_analytics').column('day').execute();
  await db.schema
    .createTable('revenue_analytics_members')
    .addColumn('invoice_id', 'text', (column) => column.primaryKey())
    .addColumn('state', 'jsonb', (column) => column.notNull())
    .addColumn('version', 'integer', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('revenue_analytics_members').execute();
  await db.schema.dropTable('revenue_analytics').execute();
}
