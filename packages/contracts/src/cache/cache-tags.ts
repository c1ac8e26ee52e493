/**
 * Invalidation tags shared by the projections (which invalidate them after a batch) and the
 * query-side cache (which tags entries with them): the one place their spelling lives.
 */
export const cacheTags = {
  payment: (paymentId: string) => `payment:${paymentId}`,
  organization: (organizationId: string) => `org:${organizationId}`,
  projection: (projection: string) => `projection:${projection}`,
};
