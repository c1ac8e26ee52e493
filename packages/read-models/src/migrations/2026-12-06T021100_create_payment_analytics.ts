import type { Kysely } from 'kysely';

/** The payment analytics read model (payment-analytics/payment-analytics.table.ts). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('payment_analytics')
    .addColumn('organization_id', 'text', (column) => column.notNull())
    .addColumn('currency', 'text', (column) => column.notNull())
    .addColumn('hour', 'timestamptz', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('count', 'bigint', (column) => column.notNull())
    .addColumn('amount_minor', 'bigint', (column) => column.notNull())
    .addColumn('refunded_minor', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('payment_analytics_pk', ['organization_id', 'currency', 'hour', 'status'])
    .execute();
  // Every organization's figures (the admin's view) read a range of hours.
  await db.schema.createIndex('payment_analytics_hour').on('payment_analytics').column('hour').execute();
  await db.schema
    .createTable('payment_analytics_members')
    .addColumn('payment_id', 'uuid', (column) => column.primaryKey())
    .addColumn('state', 'jsonb', (column) => column.notNull())
    .addColumn('version', 'integer', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('payment_analytics_members').execute();
  await db.schema.dropTable('payment_analytics').execute();
}
