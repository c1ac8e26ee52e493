import type {
  components as CommandApiComponents,
  operations as CommandApiOperations,
  paths as CommandApiPaths,
} from './generated/command-api.ts';
import type {
  components as QueryApiComponents,
  operations as QueryApiOperations,
  paths as QueryApiPaths,
} from './generated/query-api.ts';

/** The paths, operations and shared schemas of each API, as generated from its OpenAPI document. */
export type {
  CommandApiComponents,
  CommandApiOperations,
  CommandApiPaths,
  QueryApiComponents,
  QueryApiOperations,
  QueryApiPaths,
};

/** The body of every error answer of both APIs (`application/problem+json`, RFC 9457). */
export type ProblemDetails = CommandApiComponents['schemas']['ProblemDetails'];
