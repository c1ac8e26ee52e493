import { Client } from 'pg';
import { TEST_APPLICATION_NAME } from './fault-stack';

/** A dedicated session of the test's own (advisory locks and table locks belong to a session). */
export async function testSession(url: string): Promise<Client> {
  const client = new Client({ connectionString: url, application_name: `${TEST_APPLICATION_NAME}-session` });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/**
 * Terminates every connection to these databases except the test's own ones (their
 * application_name starts with `fault-test`): what a Postgres failover or restart does to a service.
 * Returns how many backends were terminated.
 */
export async function terminateServiceConnections(session: Client, databaseNames: string[]): Promise<number> {
  const { rows } = await session.query<{ terminated: boolean }>(
    `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
      WHERE datname = ANY($1) AND pid <> pg_backend_pid() AND application_name NOT LIKE $2`,
    [databaseNames, `${TEST_APPLICATION_NAME}%`],
  );
  return rows.filter((row) => row.terminated).length;
}

export interface BlockedBackend {
  pid: number;
  application: string;
  query: string;
  /** The backend's transaction has written or locked rows already (it holds a transaction id). */
  writing: boolean;
}

/** Backends of the services blocked on a lock of the given kind ('advisory', 'relation', …) in this database. */
export async function backendsWaitingOnLock(
  session: Client,
  databaseName: string,
  lockType: string,
): Promise<BlockedBackend[]> {
  const { rows } = await session.query<BlockedBackend>(
    `SELECT pid, application_name AS application, query, backend_xid IS NOT NULL AS writing FROM pg_stat_activity
      WHERE datname = $1 AND wait_event_type = 'Lock' AND wait_event = $2 AND application_name NOT LIKE $3`,
    [databaseName, lockType, `${TEST_APPLICATION_NAME}%`],
  );
  return rows;
}
