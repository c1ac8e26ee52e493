import { Kysely, PostgresDialect } from 'kysely';
import { Pool, type PoolConfig } from 'pg';
import { PreparingClient } from './prepared-statements';

export interface DatabaseOptions {
  url: string;
  /** Pool size; pg's default of 10 is a fine start for one service instance. */
  maxConnections?: number;
  /** Called when an idle client errors (Postgres restarted): without a listener pg kills the process. */
  onPoolError?: (error: Error) => void;
  applicationName?: string;
  statementTimeoutMs?: number;
  /**
   * Commit without waiting for the WAL flush (`synchronous_commit = off` for every session of the
   * pool). Only for data that can be rebuilt from elsewhere: after a Postgres crash the last
   * commits (at most ~3 × wal_writer_delay, 600 ms by default) are gone, never half-applied. The
   * projection worker's read models qualify: rows and checkpoint vanish together and are re-applied
   * from the event store. The event store itself never does.
   */
  asynchronousCommit?: boolean;
}

/**
 * A Kysely instance on its own pg pool. The pool and each of its clients always have an 'error'
 * listener, so a Postgres restart or a terminated backend costs the failed queries, not the process.
 * Hot statements that start with `prepareAs(name)` are prepared once per connection.
 */
export function createDatabase<Tables>(options: DatabaseOptions): Kysely<Tables> {
  const config: PoolConfig = {
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    application_name: options.applicationName ?? 'gyroscops',
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // Statements opened by prepareAs(name) run as named prepared statements.
    Client: PreparingClient,
  };
  if (options.statementTimeoutMs) config.statement_timeout = options.statementTimeoutMs;
  if (options.asynchronousCommit) config.options = '-c synchronous_commit=off';
  const pool = new Pool(config);
  pool.on('error', options.onPoolError ?? ((error) => console.error(`[pg pool] idle client error: ${error.message}`)));
  // The pool listens only to its idle clients: a client checked out by Kysely (between a transaction's
  // statements, say) that loses its connection (pg_terminate_backend, a failover) emits 'error' with no
  // listener, which kills the process. The failed statement already rejects, and pg marks the client
  // unusable so the pool drops it on release: here the event only needs a listener.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * The same database (and pool) seen through the tables one package knows about. Kysely's types are
 * invariant in the table map, so composition roots that share a pool between packages narrow here,
 * in one named place, instead of casting at each call.
 */
export function withTablesOf<Tables>(db: Kysely<any>): Kysely<Tables> {
  return db as Kysely<Tables>;
}
