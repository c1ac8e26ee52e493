import createClient, { type Client, type HeadersOptions, type Middleware } from 'openapi-fetch';
import type { CommandApiPaths, QueryApiPaths } from './api-types.ts';

/** A bearer token, or a function asked before each request (tokens that expire or change). */
export type TokenSource = string | (() => string | undefined | Promise<string | undefined>);

export interface ApiClientOptions {
  /** Where the API listens, for instance `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` unless a request sets its own Authorization header. */
  token?: TokenSource;
  /** Sent with every request (a request's own headers win; `null` removes one). */
  headers?: HeadersOptions;
  /** Another fetch (tests, retries, instrumentation); the global one by default. */
  fetch?: (request: Request) => Promise<Response>;
}

export type CommandApiClient = Client<CommandApiPaths>;
export type QueryApiClient = Client<QueryApiPaths>;

/** Adds the bearer token to requests that carry no Authorization header of their own. */
function bearerToken(token: TokenSource): Middleware {
  return {
    async onRequest({ request }) {
      if (request.headers.has('authorization')) return undefined;
      const value = typeof token === 'function' ? await token() : token;
      if (value) request.headers.set('authorization', `Bearer ${value}`);
      return request;
    },
  };
}

function createApiClient<Paths extends object>(options: ApiClientOptions): Client<Paths> {
  const client = createClient<Paths>({
    baseUrl: options.baseUrl,
    headers: options.headers,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  if (options.token !== undefined) client.use(bearerToken(options.token));
  return client;
}

/** A typed client of the command-api: `client.POST('/payments', { body })` and so on, per its OpenAPI document. */
export function createCommandApiClient(options: ApiClientOptions): CommandApiClient {
  return createApiClient<CommandApiPaths>(options);
}

/** A typed client of the query-api: `client.GET('/payments/{paymentId}', { params: { path: { paymentId } } })` and so on. */
export function createQueryApiClient(options: ApiClientOptions): QueryApiClient {
  return createApiClient<QueryApiPaths>(options);
}
