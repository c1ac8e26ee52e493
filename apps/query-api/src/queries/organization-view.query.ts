import { cacheTags, PROJECTIONS, type OrganizationViewBody } from '@gyroscops/contracts';
import { formatStoredAmount } from '@gyroscops/domain';
import { withTablesOf } from '@gyroscops/platform';
import {
  findOrganizationView,
  findOutstandingByCurrency,
  formatOutstanding,
  type InvoiceReadTables,
  type OrganizationReadTables,
} from '@gyroscops/read-models';
import type { QueryHandler } from '../query-bus/query-handler';

/**
 * `GET /organizations/{organizationId}`: the organizations read model (standing, plan, cycle,
 * unbilled usage) with what the organization still owes, summed over its invoices in the invoices
 * read model. Read-your-writes waits for both projections. Cached under the organization's tag,
 * which batches of either projection touching the organization invalidate. null without a plan.
 */
export const organizationViewQuery: QueryHandler<{ organizationId: string }, OrganizationViewBody | null> = {
  type: 'organization-view',
  projections: [PROJECTIONS.organizations, PROJECTIONS.invoices],
  cache: { tags: ({ organizationId }) => [cacheTags.organization(organizationId)] },
  async handle({ organizationId }, { readDb }) {
    const [view, owed] = await Promise.all([
      findOrganizationView(withTablesOf<OrganizationReadTables>(readDb), organizationId),
      findOutstandingByCurrency(withTablesOf<InvoiceReadTables>(readDb), organizationId),
    ]);
    if (view === undefined) return null;
    const currency = view.plan.currency;
    return {
      organizationId: view.organizationId,
      status: view.status,
      plan: view.plan,
      pendingPlan: view.pendingPlan,
      currentCycle: view.currentCycle,
      unbilled: view.unbilled,
      outstanding: formatStoredAmount(owed[currency] ?? 0n, currency),
      outstandingByCurrency: formatOutstanding(owed),
      version: view.version,
    };
  },
};
