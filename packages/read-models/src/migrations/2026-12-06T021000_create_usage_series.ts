import type { Kysely } from 'kysely';

/** The usage series read model (usage-series/usage-series.table.ts): hourly usage per organization and meter. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('usage_series')
    .addColumn('organization_id', 'text', (column) => column.notNull())
    .addColumn('meter', 'text', (column) => column.notNull())
    .addColumn('hour', 'timestamptz', (column) => column.notNull())
    .addColumn('record_count', 'bigint', (column) => column.notNull())
    .addColumn('quantity_sum', 'numeric', (column) => column.notNull())
    .addColumn('quantity_max', 'numeric', (column) => column.notNull())
    // The series of one organization reads (organization_id, meter?, hour range): the key serves it.
    .addPrimaryKeyConstraint('usage_series_pk', ['organization_id', 'meter', 'hour'])
    .execute();
  await db.schema
    .createTable('usage_series_organizations')
    .addColumn('organization_id', 'text', (column) => column.primaryKey())
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('plan', 'jsonb')
    .addColumn('pending_plan', 'jsonb')
    .execute();
  await db.schema
    .createTable('usage_series_meters')
    .addColumn('organization_id', 'text', (column) => column.notNull())
    .addColumn('meter', 'text', (column) => column.notNull())
    .addColumn('aggregation', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('usage_series_meters_pk', ['organization_id', 'meter'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('usage_series_meters').execute();
  await db.schema.dropTable('usage_series_organizations').execute();
  await db.schema.dropTable('usage_series').execute();
}
