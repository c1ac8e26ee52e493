import type { Kysely } from 'kysely';
import { ORGANIZATION_ACCOUNT_STREAM_TYPE, ORGANIZATION_BILLING_STREAM_TYPE } from '@gyroscops/contracts/workflows';
import {
  evolveOrganizationAccount,
  evolveOrganizationBilling,
  initialOrganizationAccountState,
  initialOrganizationBillingState,
  isOrganizationAccountEvent,
  isOrganizationBillingEvent,
  type OrganizationAccountState,
  type OrganizationBillingState,
} from '@gyroscops/domain';
import type { EventStoreDb } from '@gyroscops/event-store';
import { rowToFoldedOrganization } from './organization-row-mapping';
import { toOrganizationBillingView } from './organization-view';
import { organizationOfStream } from './organizations.projection';
import type { OrganizationReadTables } from './organizations.table';

/** JSON with object keys sorted: jsonb keeps its own key order, which must not count as a difference. */
const sortedJson = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );

/** What the tests compare of an organization: its view (with the unbilled usage priced) and its account. */
const comparable = (organizationId: string, billing: OrganizationBillingState, account: OrganizationAccountState) =>
  sortedJson({
    view: toOrganizationBillingView(organizationId, billing, account),
    billingVersion: billing.version,
    account: { status: account.status, version: account.version, suspendedFor: account.suspendedFor },
  });

/**
 * `organizations` as it must be: every organization's billing and account streams folded with the
 * domain's evolve functions, the unbilled usage priced with its pricing. Answers how the read model
 * differs (empty when equal): a usage batch folded twice or missed shows other unbilled figures.
 */
export async function organizationsDifferences(eventStore: EventStoreDb, readDb: Kysely<any>): Promise<string[]> {
  const events = await eventStore
    .selectFrom('events')
    .select(['stream_id', 'stream_type', 'type', 'data'])
    .where('stream_type', 'in', [ORGANIZATION_BILLING_STREAM_TYPE, ORGANIZATION_ACCOUNT_STREAM_TYPE])
    .orderBy('position')
    .execute();
  const organizations = new Map<string, { billing: OrganizationBillingState; account: OrganizationAccountState }>();
  for (const row of events) {
    const organizationId = organizationOfStream({ streamId: row.stream_id, streamType: row.stream_type });
    if (organizationId === undefined) continue;
    const event = { type: row.type, data: row.data as Record<string, unknown> };
    const before = organizations.get(organizationId) ?? {
      billing: initialOrganizationBillingState,
      account: initialOrganizationAccountState,
    };
    if (row.stream_type === ORGANIZATION_BILLING_STREAM_TYPE && isOrganizationBillingEvent(event))
      organizations.set(organizationId, { ...before, billing: evolveOrganizationBilling(before.billing, event) });
    else if (row.stream_type === ORGANIZATION_ACCOUNT_STREAM_TYPE && isOrganizationAccountEvent(event))
      organizations.set(organizationId, { ...before, account: evolveOrganizationAccount(before.account, event) });
  }
  const expected = new Map(
    [...organizations].map(([organizationId, { billing, account }]) => [
      organizationId,
      comparable(organizationId, billing, account),
    ]),
  );
  const rows = await (readDb as Kysely<OrganizationReadTables>).selectFrom('organizations').selectAll().execute();
  const actual = new Map(
    rows.map((row) => {
      const folded = rowToFoldedOrganization(row);
      return [row.organization_id, comparable(row.organization_id, folded.billing, folded.account)];
    }),
  );

  const differences: string[] = [];
  for (const [organizationId, organization] of expected) {
    const found = actual.get(organizationId);
    if (found === undefined) differences.push(`organizations ${organizationId}: missing`);
    else if (found !== organization)
      differences.push(`organizations ${organizationId}: expected ${organization}, got ${found}`);
  }
  for (const organizationId of actual.keys())
    if (!expected.has(organizationId)) differences.push(`organizations ${organizationId}: unexpected`);
  return differences;
}
