import type { FastifyRequest } from 'fastify';
import type { PaymentSearchCriteria } from '@gyroscops/contracts';
import { requireOrganization } from '@gyroscops/platform';

/**
 * A payment search limited to what the caller may see: a named organization must be one of the
 * token's (403 otherwise); without one, the search covers the token's organizations (sorted, so
 * equal scopes share cache entries). The scope is part of the criteria, hence of the cache key,
 * the cursor fingerprint and a report's id: no entry is shared between different scopes.
 */
export function scopeToCaller(request: FastifyRequest, criteria: PaymentSearchCriteria): PaymentSearchCriteria {
  if (criteria.organizationId !== undefined) {
    requireOrganization(request, criteria.organizationId);
    return criteria;
  }
  return { ...criteria, organizationIds: [...new Set(request.caller.organizations)].sort() };
}
