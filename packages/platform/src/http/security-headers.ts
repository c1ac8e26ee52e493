import helmet from 'helmet';

/**
 * The API answers JSON only, so its Content-Security-Policy forbids everything (OWASP's REST advice):
 * no page of ours may load a script, and nothing may frame an answer. Swagger UI at /docs sets its
 * own, relaxed policy on its routes (see `DOCS_CSP_WITHOUT_UPGRADE`).
 */
const API_CSP = { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } };

type HelmetMiddleware = ReturnType<typeof helmet>;

/**
 * Helmet's headers for these options, computed once with the `helmet` library (the one
 * @fastify/helmet wraps). The plugin runs helmet's middleware on every request: about 14% of a bare
 * route's throughput when measured (README, "Performance"); the headers never vary per request, so
 * each answer only copies them.
 */
export function helmetHeaders(options: Parameters<typeof helmet>[0]): Record<string, string> {
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
  // A stand-in response that only records the headers helmet sets.
  helmet(options)(
    { headers: {} } as Parameters<HelmetMiddleware>[0],
    response as unknown as Parameters<HelmetMiddleware>[1],
    (error?: unknown) => {
      if (error) throw error;
    },
  );
  return headers;
}

let apiHeaders: Record<string, string> | undefined;

/**
 * The API's helmet headers (computed once): on every answer (HSTS, nosniff, frame and referrer
 * policies, a deny-all CSP), errors, 404s and shed requests included, by the app's first hook, and
 * on the answers given before any hook runs.
 */
export function apiSecurityHeaders(): Record<string, string> {
  apiHeaders ??= helmetHeaders({ contentSecurityPolicy: API_CSP });
  return apiHeaders;
}

/**
 * Swagger UI's own CSP (`staticCSP: true`: its scripts and styles by hash) minus
 * `upgrade-insecure-requests`, which would send the page's assets to https:// on a plain-http
 * development port and leave /docs blank.
 */
export const DOCS_CSP_WITHOUT_UPGRADE = (header: string): string =>
  header.replace(/\s*upgrade-insecure-requests;?/g, '').trim();
