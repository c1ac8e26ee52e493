import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('projection_dead_letters')
    .addColumn('id', 'bigserial', (column) => column.primaryKey())
    .addColumn('projection', 'text', (column) => column.notNull())
    .addColumn('position', 'bigint', (column) => column.notNull())
    .addColumn('event_id', 'uuid', (column) => column.notNull())
    .addColumn('event_type', 'text', (column) => column.notNull())
    .addColumn('error', 'text', (column) => column.notNull())
    .addColumn('parked_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('projection_dead_letters_event', ['projection', 'event_id'])
    .execute();
  await db.schema
    .createTable('projection_rebuilds')
    .addColumn('projection', 'text', (column) => column.primaryKey())
    .addColumn('shadow_schema', 'text', (column) => column.notNull())
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('position', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('events_done', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('events_total', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('started_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('projection_rebuilds').execute();
  await db.schema.dropTable('projection_dead_letters').execute();
}
