import { Client } from 'pg';

/**
 * ANALYZE of a database the bench has just seeded: its tables get the planner statistics that
 * autovacuum gives them within a minute in a deployment. The machines the bench runs on may have
 * autovacuum off (this project's do). Without statistics, a page of events read far behind the head
 * (`position > checkpoint AND position < the gap-safe bound`, the bound being an expression) is
 * estimated at 0.5% of the table. Postgres then plans a bitmap scan of everything after the
 * checkpoint plus a sort for every page: 200 ms instead of 3 ms per 5,000 events at 300,000 events.
 * The baselines' plain `position > $1` reads do not depend on it. Answers whether the server runs
 * autovacuum (the bench's notes say so).
 */
export async function analyzeSeeded(databaseUrl: string): Promise<{ autovacuum: boolean }> {
  const client = new Client({ connectionString: databaseUrl, application_name: 'bench-analyze' });
  await client.connect();
  try {
    await client.query('ANALYZE');
    const { rows } = await client.query<{ autovacuum: string }>('SHOW autovacuum');
    return { autovacuum: rows[0]?.autovacuum === 'on' };
  } finally {
    await client.end();
  }
}
