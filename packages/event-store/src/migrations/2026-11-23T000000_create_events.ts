import { sql, type Kysely } from 'kysely';

// Migrations see the database as it was then, not as tables.ts describes it now.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('streams')
    .addColumn('stream_id', 'text', (col) => col.primaryKey())
    .addColumn('stream_type', 'text', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('events')
    // No sequence: position = xid * 1,000,000 + index in the transaction (see read-all.ts for why).
    .addColumn('position', 'bigint', (col) => col.primaryKey())
    .addColumn('transaction_id', sql`xid8`, (col) => col.notNull())
    .addColumn('stream_id', 'text', (col) => col.notNull())
    .addColumn('stream_type', 'text', (col) => col.notNull())
    .addColumn('stream_version', 'integer', (col) => col.notNull())
    .addColumn('event_id', 'uuid', (col) => col.notNull().unique())
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('schema_version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('data', 'jsonb', (col) => col.notNull())
    .addColumn('metadata', 'jsonb', (col) => col.notNull())
    .addColumn('correlation_id', 'text')
    .addColumn('organization_id', 'text')
    // Milliseconds, like a JS Date: a recordedAt read back then used as a filter bound matches exactly.
    .addColumn('recorded_at', sql`timestamptz(3)`, (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('events_stream_id_stream_version_key', ['stream_id', 'stream_version'])
    // The gap-safe reader relies on a position lying inside its own transaction's block.
    .addCheckConstraint(
      'events_position_in_transaction_block',
      sql`position > transaction_id::text::bigint * 1000000 AND position < (transaction_id::text::bigint + 1) * 1000000`,
    )
    .addCheckConstraint('events_stream_version_positive', sql`stream_version >= 1`)
    .execute();

  const indexes: Array<[string, string[]]> = [
    ['events_type_recorded_at_position_idx', ['type', 'recorded_at', 'position']],
    ['events_correlation_id_position_idx', ['correlation_id', 'position']],
    ['events_organization_id_recorded_at_position_idx', ['organization_id', 'recorded_at', 'position']],
    ['events_stream_type_recorded_at_position_idx', ['stream_type', 'recorded_at', 'position']],
    ['events_recorded_at_position_idx', ['recorded_at', 'position']],
  ];
  for (const [name, columns] of indexes) {
    await db.schema.createIndex(name).on('events').columns(columns).execute();
  }

  // History is evidence: a bug or a hand-typed statement must not be able to rewrite it.
  await sql`
    CREATE FUNCTION event_store_reject_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP
        USING ERRCODE = 'restrict_violation';
    END;
    $$`.execute(db);
  await sql`
    CREATE TRIGGER events_append_only
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION event_store_reject_event_change()`.execute(db);
  await sql`
    CREATE TRIGGER events_no_truncate
    BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION event_store_reject_event_change()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('events').execute();
  await sql`DROP FUNCTION event_store_reject_event_change()`.execute(db);
  await db.schema.dropTable('streams').execute();
}
