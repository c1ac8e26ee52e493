import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('payment_statistics')
    .addColumn('organization_id', 'text', (column) => column.notNull())
    .addColumn('currency', 'text', (column) => column.notNull())
    .addColumn('day', 'date', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('count', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('amount_minor', 'bigint', (column) => column.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('payment_statistics_pk', ['organization_id', 'currency', 'day', 'status'])
    .execute();
  await db.schema
    .createTable('payment_statistics_members')
    .addColumn('payment_id', 'uuid', (column) => column.primaryKey())
    .addColumn('state', 'jsonb', (column) => column.notNull())
    .addColumn('version', 'integer', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('event_counts')
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('hour', 'timestamptz', (column) => column.notNull())
    .addColumn('count', 'bigint', (column) => column.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('event_counts_pk', ['type', 'hour'])
    .execute();
  await sql`CREATE INDEX event_counts_hour ON event_counts (hour)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('event_counts').execute();
  await db.schema.dropTable('payment_statistics_members').execute();
  await db.schema.dropTable('payment_statistics').execute();
}
