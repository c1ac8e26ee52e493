import type { FastifyInstance } from 'fastify';

/** A readiness check throws (or rejects) when its dependency cannot be used. */
export type ReadinessCheck = () => Promise<unknown>;

const CHECK_TIMEOUT_MS = 2_000;

async function runCheck(check: ReadinessCheck): Promise<{ ok: boolean; error?: string; ms: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, error: (error as Error).message, ms: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check in parallel; ready only when all pass. */
export async function checkReadiness(checks: Record<string, ReadinessCheck>) {
  const names = Object.keys(checks);
  const results = await Promise.all(names.map((name) => runCheck(checks[name]!)));
  const report = Object.fromEntries(names.map((name, index) => [name, results[index]!]));
  return { ready: results.every((result) => result.ok), checks: report };
}

/** /health/live (the process answers) and /health/ready (its dependencies answer). */
export function registerHealthRoutes(app: FastifyInstance, checks: Record<string, ReadinessCheck>): void {
  const health = { type: 'object', additionalProperties: true, properties: { status: { type: 'string' } } };
  app.get(
    '/health/live',
    {
      schema: {
        tags: ['health'],
        operationId: 'getLiveness',
        summary: 'The process answers',
        security: [],
        response: { 200: health },
      },
    },
    async () => ({ status: 'ok' }),
  );
  const readinessSchema = {
    tags: ['health'],
    operationId: 'getReadiness',
    summary: 'Every dependency the service cannot work without answers',
    security: [],
    response: { 200: health, 503: health },
  };
  app.get('/health/ready', { schema: readinessSchema }, async (_request, reply) => {
    const { ready, checks: report } = await checkReadiness(checks);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', checks: report });
  });
}
