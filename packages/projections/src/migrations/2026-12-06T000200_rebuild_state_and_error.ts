import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // A rebuild that keeps failing says why; one stopped by a poison event (the `halt` policy) says so.
  await db.schema
    .alterTable('projection_rebuilds')
    .addColumn('state', 'text', (column) =>
      column
        .notNull()
        .defaultTo('running')
        .check(sql`state in ('running', 'halted')`),
    )
    .execute();
  await db.schema.alterTable('projection_rebuilds').addColumn('last_error', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('projection_rebuilds').dropColumn('last_error').execute();
  await db.schema.alterTable('projection_rebuilds').dropColumn('state').execute();
}
