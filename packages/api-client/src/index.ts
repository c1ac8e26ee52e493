/**
 * Typed clients of the command and query APIs (openapi-fetch over the types openapi-typescript
 * generates from the committed OpenAPI documents in ../openapi/; `npm run openapi` rebuilds both).
 *
 * ```ts
 * const commands = createCommandApiClient({ baseUrl: 'http://127.0.0.1:3000', token });
 * const { data, error, response } = await commands.POST('/payments', { body: { organizationId, amount: '100.00', currency: 'EUR' } });
 * const queries = createQueryApiClient({ baseUrl: 'http://127.0.0.1:3001', token });
 * await queries.GET('/payments/{paymentId}', { params: { path: { paymentId }, header: { 'x-min-position': data.position } } });
 * ```
 */
export {
  createCommandApiClient,
  createQueryApiClient,
  type ApiClientOptions,
  type CommandApiClient,
  type QueryApiClient,
  type TokenSource,
} from './create-api-client.ts';
export type {
  CommandApiComponents,
  CommandApiOperations,
  CommandApiPaths,
  ProblemDetails,
  QueryApiComponents,
  QueryApiOperations,
  QueryApiPaths,
} from './api-types.ts';
/** openapi-fetch's middleware type, for `client.use(...)` (recording, retries, tracing). */
export type { Middleware } from 'openapi-fetch';
