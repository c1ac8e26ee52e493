import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('projection_checkpoints')
    .addColumn('projection', 'text', (column) => column.primaryKey())
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('position', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('state', 'text', (column) =>
      column
        .notNull()
        .defaultTo('live')
        .check(sql`state in ('live', 'rebuilding', 'halted')`),
    )
    .addColumn('last_error', 'text')
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('projection_checkpoints').execute();
}
