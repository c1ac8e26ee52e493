import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';

/**
 * The API answers JSON only, so its Content-Security-Policy forbids everything (OWASP's REST advice):
 * no page of ours may load a script, and nothing may frame an answer. Swagger UI at /docs sets its
 * own, relaxed policy on its routes (see `DOCS_CSP_WITHOUT_UPGRADE`).
 */
const API_CSP = { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } };

type HelmetMiddleware = (request: unknown, response: unknown, next: (error?: unknown) => void) => void;
type Helmet = (options: Record<string, unknown>) => HelmetMiddleware;

/**
 * Helmet's headers for these options, computed once. @fastify/helmet builds a new helmet middleware
 * on every request, which measured here at about half the throughput of a bare route that answers
 * one Redis GET; the headers never vary per request, so they are computed at start-up with the very
 * helmet @fastify/helmet depends on, and each answer only copies them.
 */
export function helmetHeaders(options: Record<string, unknown>): Record<string, string> {
  const helmet = createRequire(require.resolve('@fastify/helmet'))('helmet') as Helmet;
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number | string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
    getHeader: (name: string) => headers[name.toLowerCase()],
  };
  helmet(options)({ headers: {} }, response, (error) => {
    if (error) throw error;
  });
  return headers;
}

/**
 * Helmet's headers on every answer (HSTS, nosniff, frame and referrer policies, a deny-all CSP),
 * errors, 404s and shed requests included: the hook runs first thing on every request.
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  const headers = helmetHeaders({ contentSecurityPolicy: API_CSP });
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}

/**
 * Swagger UI's own CSP (`staticCSP: true`: its scripts and styles by hash) minus
 * `upgrade-insecure-requests`, which would send the page's assets to https:// on a plain-http
 * development port and leave /docs blank.
 */
export const DOCS_CSP_WITHOUT_UPGRADE = (header: string): string => header.replace(/\s*upgrade-insecure-requests;?/g, '').trim();
