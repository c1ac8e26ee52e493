import type { Kysely } from 'kysely';
import { prepareAs } from '@gyroscops/platform';
import { rowToOrganizationView } from './organization-row-mapping';
import type { OrganizationBillingView } from './organization-view';
import type { OrganizationReadTables } from './organizations.table';

/** The billing view of an organization, or undefined when it has no plan (or no events at all). */
export async function findOrganizationView(
  db: Kysely<OrganizationReadTables>,
  organizationId: string,
): Promise<OrganizationBillingView | undefined> {
  const row = await db
    .selectFrom('organizations')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .modifyEnd(prepareAs('organization_view'))
    .executeTakeFirst();
  return (row && rowToOrganizationView(row)) ?? undefined;
}
