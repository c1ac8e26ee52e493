import { sql, type Transaction } from 'kysely';

/** The schema a projection's rebuild writes into: its tables under the same names, out of the way. */
export function shadowSchemaOf(projection: string): string {
  return `rebuild_${projection.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
}

/**
 * Recreates the shadow schema with empty copies (columns, defaults, constraints, unique indexes) of
 * the live tables. Their other indexes are left out while the replay fills the tables: one CREATE
 * INDEX over the finished table (createShadowIndexes, before the swap) is much cheaper than keeping
 * them up to date row by row.
 */
export async function createShadowTables(
  trx: Transaction<any>,
  schema: string,
  tables: readonly string[],
): Promise<void> {
  await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(trx);
  await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(trx);
  for (const table of tables) {
    await sql`CREATE TABLE ${sql.id(schema, table)} (LIKE ${sql.id('public', table)} INCLUDING ALL)`.execute(trx);
    const { rows } = await sql<{ name: string }>`
      SELECT i.relname AS name
      FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = ${`${schema}.${table}`}::regclass AND NOT x.indisunique`.execute(trx);
    for (const row of rows) await sql`DROP INDEX ${sql.id(schema, row.name)}`.execute(trx);
  }
}

/**
 * Gives each shadow table every index its live table has (under the live index's name, so the swap
 * keeps the names) that it lacks: the ones createShadowTables left out. Idempotent.
 */
export async function createShadowIndexes(
  trx: Transaction<any>,
  schema: string,
  tables: readonly string[],
): Promise<void> {
  for (const table of tables) {
    const copied = await indexesOf(trx, schema, table);
    for (const live of await indexesOf(trx, 'public', table)) {
      if (copied.some((copy) => copy.definition === live.definition)) continue;
      const definition = live.definition.replace(/^(UNIQUE )?/, '');
      await sql`CREATE ${sql.raw(live.definition.startsWith('UNIQUE ') ? 'UNIQUE ' : '')}INDEX ${sql.id(live.name)} ON ${sql.id(schema, table)} ${sql.raw(definition)}`.execute(
        trx,
      );
    }
  }
}

/** Makes the projection's unqualified table names resolve to the shadow tables for the rest of the transaction. */
export async function useShadowSchema(trx: Transaction<any>, schema: string): Promise<void> {
  await sql`SELECT set_config('search_path', ${`${schema}, public`}, true)`.execute(trx);
}

export async function usePublicSchema(trx: Transaction<any>): Promise<void> {
  await sql`SELECT set_config('search_path', 'public', true)`.execute(trx);
}

interface IndexInfo {
  name: string;
  definition: string;
}

/** A table's indexes, each with its definition stripped of the index and table names, to match copies. */
async function indexesOf(trx: Transaction<any>, schema: string, table: string): Promise<IndexInfo[]> {
  const { rows } = await sql<{ name: string; definition: string }>`
    SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
    WHERE x.indrelid = ${`${schema}.${table}`}::regclass`.execute(trx);
  return rows.map((row) => ({
    name: row.name,
    definition: row.definition.replace(/^CREATE (UNIQUE )?INDEX \S+ ON \S+ /, '$1'),
  }));
}

/**
 * Replaces each live table by its shadow copy, inside the caller's transaction: queries waiting on the
 * brief lock then resolve the name again and read the new table. Index names are restored, so later
 * migrations that name an index still find it.
 */
export async function swapShadowTables(
  trx: Transaction<any>,
  schema: string,
  tables: readonly string[],
): Promise<void> {
  await usePublicSchema(trx);
  for (const table of tables) {
    const liveIndexes = await indexesOf(trx, 'public', table);
    await sql`DROP TABLE ${sql.id('public', table)}`.execute(trx);
    await sql`ALTER TABLE ${sql.id(schema, table)} SET SCHEMA public`.execute(trx);
    const copied = await indexesOf(trx, 'public', table);
    for (const live of liveIndexes) {
      const copy = copied.find((candidate) => candidate.definition === live.definition);
      if (copy && copy.name !== live.name)
        await sql`ALTER INDEX ${sql.id('public', copy.name)} RENAME TO ${sql.id(live.name)}`.execute(trx);
    }
  }
  await sql`DROP SCHEMA ${sql.id(schema)} CASCADE`.execute(trx);
}
