import Fastify from 'fastify';
import Redis from 'ioredis';
import { Pool } from 'pg';

/**
 * The baselines' bare Fastify server, run as a child process like the services so both sides pay
 * for their own event loop: `GET /cached/:id` answers the JSON stored under one Redis key with one
 * GET; `GET /row/:id` runs the payments read model's primary-key SELECT with pg; `GET /search` runs a
 * search page's SELECT and count.
 */
async function main(): Promise<void> {
  const prefix = process.env.REDIS_KEY_PREFIX ?? '';
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const pool = new Pool({ connectionString: process.env.READ_DATABASE_URL, max: 10 });
  const app = Fastify({ logger: false });
  app.get('/health', async () => ({ status: 'ok' }));
  app.get<{ Params: { id: string } }>('/cached/:id', async (request, reply) => {
    const body = await redis.get(`${prefix}bench:view:${request.params.id}`);
    if (body === null) return reply.code(404).send({ title: 'not found' });
    return reply.type('application/json; charset=utf-8').send(body);
  });
  app.get<{ Params: { id: string } }>('/row/:id', async (request, reply) => {
    const { rows } = await pool.query('SELECT * FROM payments WHERE payment_id = $1', [request.params.id]);
    if (rows.length === 0) return reply.code(404).send({ title: 'not found' });
    return rows[0];
  });
  // The search route's two statements as the payments read model issues them (page + 1 row, and the total).
  app.get<{ Querystring: { organizationId: string; currency: string; minAmountMinor: string; limit: string } }>(
    '/search',
    async (request) => {
      const { organizationId, currency, minAmountMinor } = request.query;
      const limit = Number(request.query.limit);
      const filter = 'organization_id = $1 AND currency = $2 AND amount_minor >= $3';
      const [page, count] = await Promise.all([
        pool.query(
          `SELECT *, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at_key FROM payments WHERE ${filter} ORDER BY created_at DESC, payment_id DESC LIMIT $4`,
          [organizationId, currency, minAmountMinor, limit + 1],
        ),
        pool.query<{ total: string }>(`SELECT count(*) AS total FROM payments WHERE ${filter}`, [
          organizationId,
          currency,
          minAmountMinor,
        ]),
      ]);
      return { items: page.rows.slice(0, limit), total: Number(count.rows[0]!.total) };
    },
  );
  await app.listen({ host: '127.0.0.1', port: Number(process.env.BASELINE_PORT ?? 0) });
  const shutdown = () => {
    void app.close().finally(() => {
      redis.disconnect();
      void pool.end();
    });
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error) => {
  console.error('[baseline-server] failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
