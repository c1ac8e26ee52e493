import Fastify from 'fastify';
import Redis from 'ioredis';
import { Pool } from 'pg';

/**
 * The baselines' bare Fastify server, run as a child process like the services so both sides pay
 * for their own event loop: `GET /cached/:id` answers the JSON stored under one Redis key with one
 * GET; `GET /row/:id` runs the payments read model's primary-key SELECT with pg.
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
