import { problemResponses } from './create-http-app';

/**
 * The errors any authenticated route can answer whatever it does: 401 (no or bad token), 429 (rate
 * limited per token subject), 500 (a bug) and 503 (load shed, or a dependency down). 429 and 503
 * carry Retry-After.
 */
const AUTHENTICATED = [401, 429, 500, 503];
/** What a route with a JSON body can answer before its handler runs: 413 (over 64 KiB), 415 (not JSON). */
const WITH_BODY = [413, 415];

const RETRY_AFTER = {
  'retry-after': { type: 'integer', minimum: 0, description: 'Seconds to wait before trying again' },
};

function problems(statuses: number[]): Record<number, unknown> {
  const responses = problemResponses(...[...new Set(statuses)].sort((a, b) => a - b)) as Record<
    number,
    Record<string, unknown>
  >;
  for (const status of [429, 503])
    if (responses[status]) responses[status] = { ...responses[status], headers: RETRY_AFTER };
  return responses;
}

/** The problem+json responses of an authenticated route without a body: the common ones plus `statuses`. */
export function authenticatedProblems(...statuses: number[]): Record<number, unknown> {
  return problems([...AUTHENTICATED, ...statuses]);
}

/** The problem+json responses of an authenticated route with a JSON body: the common ones, 413, 415, plus `statuses`. */
export function bodyRouteProblems(...statuses: number[]): Record<number, unknown> {
  return problems([...AUTHENTICATED, ...WITH_BODY, ...statuses]);
}
