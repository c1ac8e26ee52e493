import { sql, type Kysely } from 'kysely';

// Migrations see the database as it was then, not as tables.ts describes it now.
export async function up(db: Kysely<any>): Promise<void> {
  // Every usage record id an organization ever had accepted, claimed by the append that accepted
  // it: the primary key makes "accepted once, for ever" a fact of the store, not of a state in memory.
  await db.schema
    .createTable('usage_record_claims')
    .addColumn('organization_id', 'text', (col) => col.notNull())
    .addColumn('record_id', 'text', (col) => col.notNull())
    .addColumn('stream_id', 'text', (col) => col.notNull())
    .addColumn('position', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('usage_record_claims_pkey', ['organization_id', 'record_id'])
    .execute();

  // The latest folded state of a stream, so loading it reads the snapshot and the events after it.
  // A cache: dropping a row only makes the next load read the whole stream.
  await db.schema
    .createTable('stream_snapshots')
    .addColumn('stream_id', 'text', (col) => col.primaryKey())
    .addColumn('version', 'integer', (col) => col.notNull().check(sql`version >= 1`))
    .addColumn('schema_version', 'integer', (col) => col.notNull())
    .addColumn('state', 'jsonb', (col) => col.notNull())
    .addColumn('taken_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('stream_snapshots').execute();
  await db.schema.dropTable('usage_record_claims').execute();
}
