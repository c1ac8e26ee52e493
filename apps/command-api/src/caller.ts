import type { FastifyRequest } from 'fastify';

/** Who is calling: the user, and the organizations they may act on. */
export interface Caller {
  userId: string;
  allowedOrganizations: string[];
}

/**
 * The caller of a request, from its verified bearer token (the platform's authentication plugin):
 * the user id is the token's `sub`, never a body field or a header; the organizations are its `orgs`.
 */
export function callerOf(request: FastifyRequest): Caller {
  return { userId: request.caller.userId, allowedOrganizations: request.caller.organizations };
}
