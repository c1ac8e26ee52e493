import { sql, type Kysely } from 'kysely';

// Migrations see the database as it was then, not as tables.ts describes it now.
export async function up(db: Kysely<any>): Promise<void> {
  // What repairStreamIds moved, kept as evidence: events are rewritten in place only by that repair.
  await db.schema
    .createTable('stream_id_repairs')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('action', 'text', (col) => col.notNull().check(sql`action in ('renamed', 'rekeyed')`))
    .addColumn('stream_id_before', 'text', (col) => col.notNull())
    .addColumn('stream_id_after', 'text', (col) => col.notNull())
    .addColumn('stream_type', 'text', (col) => col.notNull())
    .addColumn('organization_id', 'text')
    .addColumn('event_ids', sql`uuid[]`, (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('repaired_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('stream_id_repairs').execute();
}
