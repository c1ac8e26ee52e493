import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

/** Response headers a browser script may read: ids for support, pagination and retry hints. */
const EXPOSED_HEADERS = [
  'x-request-id',
  'x-correlation-id',
  'x-projection-position',
  'location',
  'etag',
  'retry-after',
  'ratelimit',
  'ratelimit-policy',
];

/**
 * CORS for the listed origins only (`CORS_ORIGINS`). With none, nothing is registered: no CORS
 * header is ever sent, so browsers keep the same-origin policy. Credentials stay off: callers send
 * bearer tokens, never cookies. Registered before authentication, so a preflight needs no token.
 */
export async function registerCrossOrigin(app: FastifyInstance, origins: readonly string[]): Promise<void> {
  if (origins.length === 0) return;
  await app.register(cors, {
    origin: [...origins],
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
    exposedHeaders: EXPOSED_HEADERS,
    credentials: false,
    maxAge: 600,
  });
}
