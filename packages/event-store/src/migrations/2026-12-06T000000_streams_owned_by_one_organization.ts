import { sql, type Kysely } from 'kysely';

// Migrations see the database as it was then, not as tables.ts describes it now.
export async function up(db: Kysely<any>): Promise<void> {
  // The organization a stream belongs to, fixed when it is created (null: an organization-less stream).
  await db.schema.alterTable('streams').addColumn('organization_id', 'text').execute();
  // Existing streams belong to the organization of their first event.
  await sql`
    UPDATE streams SET organization_id = first.organization_id
    FROM events AS first
    WHERE first.stream_id = streams.stream_id AND first.stream_version = 1 AND first.organization_id IS NOT NULL`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('streams').dropColumn('organization_id').execute();
}
