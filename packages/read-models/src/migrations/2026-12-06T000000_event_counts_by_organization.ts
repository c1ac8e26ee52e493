import { sql, type Kysely } from 'kysely';

/**
 * `event_counts` per organization, so that `GET /analytics/events` shows a user only the counts of
 * their organizations. Rows counted before have no organization (''): the projection's version 2
 * rebuilds the table from the event store at the worker's next start, and they are gone.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE event_counts ADD COLUMN organization_id text NOT NULL DEFAULT ''`.execute(db);
  await sql`ALTER TABLE event_counts DROP CONSTRAINT event_counts_pk`.execute(db);
  await sql`ALTER TABLE event_counts ADD CONSTRAINT event_counts_pk PRIMARY KEY (organization_id, type, hour)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DELETE FROM event_counts`.execute(db);
  await sql`ALTER TABLE event_counts DROP CONSTRAINT event_counts_pk`.execute(db);
  await sql`ALTER TABLE event_counts DROP COLUMN organization_id`.execute(db);
  await sql`ALTER TABLE event_counts ADD CONSTRAINT event_counts_pk PRIMARY KEY (type, hour)`.execute(db);
}
