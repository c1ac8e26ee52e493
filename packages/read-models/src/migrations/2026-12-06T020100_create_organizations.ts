import type { Kysely } from 'kysely';

/** The `organizations` read model (read-models/organizations): one row per organization, read by its id. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('organizations')
    .addColumn('organization_id', 'text', (column) => column.primaryKey())
    .addColumn('billing_state', 'jsonb')
    .addColumn('billing_stream_version', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('status', 'text', (column) => column.notNull().defaultTo('active'))
    .addColumn('account_state', 'jsonb', (column) => column.notNull())
    .addColumn('account_stream_version', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('last_position', 'bigint', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('organizations').execute();
}
