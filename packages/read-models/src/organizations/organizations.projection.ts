import { sql, type Transaction } from 'kysely';
import { ORGANIZATION_ACCOUNT_STREAM_TYPE, ORGANIZATION_BILLING_STREAM_TYPE } from '@gyroscops/contracts/workflows';
import {
  evolveOrganizationAccount,
  evolveOrganizationBilling,
  initialOrganizationAccountState,
  initialOrganizationBillingState,
  isOrganizationAccountEvent,
  isOrganizationBillingEvent,
  ORGANIZATION_ACCOUNT_EVENT_TYPES,
  ORGANIZATION_BILLING_EVENT_TYPES,
} from '@gyroscops/domain';
import type { RecordedEvent } from '@gyroscops/event-store';
import type { Projection, ProjectionChanges } from '@gyroscops/projections';
import { foldedOrganizationToRow, rowToFoldedOrganization, type FoldedOrganization } from './organization-row-mapping';
import type { NewOrganizationRow, OrganizationReadTables, OrganizationRow } from './organizations.table';

export const ORGANIZATIONS_PROJECTION = 'organizations';

const STREAM_PREFIXES: Record<string, string> = {
  [ORGANIZATION_BILLING_STREAM_TYPE]: `${ORGANIZATION_BILLING_STREAM_TYPE}-`,
  [ORGANIZATION_ACCOUNT_STREAM_TYPE]: `${ORGANIZATION_ACCOUNT_STREAM_TYPE}-`,
};

/**
 * The organization a billing or account event belongs to: its stream's, which is named after it
 * (`organization-billing-<id>`, `organization-account-<id>`); undefined for an event of another stream.
 */
export function organizationOfStream(event: Pick<RecordedEvent, 'streamId' | 'streamType'>): string | undefined {
  const prefix = STREAM_PREFIXES[event.streamType];
  return prefix !== undefined && event.streamId.startsWith(prefix) ? event.streamId.slice(prefix.length) : undefined;
}

const newOrganization = (organizationId: string): FoldedOrganization => ({
  organizationId,
  billing: initialOrganizationBillingState,
  billingStreamVersion: 0,
  account: initialOrganizationAccountState,
  accountStreamVersion: 0,
});

/**
 * The `organizations` read model: one row per organization with billing or account events, holding
 * both streams folded with the domain's own evolve functions. Usage is folded into per-meter
 * aggregates (the domain's billing state), so a million usage records cost a few numbers per meter,
 * not a million rows. Each stream's events at or below the row's version of that stream are skipped,
 * a second guard (after the checkpoint) against applying anything twice. Account events of types
 * this projection does not know never reach it (they are not in `eventTypes`).
 */
export const organizationsProjection: Projection<OrganizationReadTables> = {
  name: ORGANIZATIONS_PROJECTION,
  version: 1,
  eventTypes: [...ORGANIZATION_BILLING_EVENT_TYPES, ...ORGANIZATION_ACCOUNT_EVENT_TYPES],
  tables: ['organizations'],
  // Unbilled usage missing one batch would be silently wrong: stop and let an operator look.
  poisonPolicy: 'halt',
  async apply(events: RecordedEvent[], trx: Transaction<OrganizationReadTables>): Promise<ProjectionChanges> {
    const byOrganization = new Map<string, RecordedEvent[]>();
    for (const event of events) {
      const organizationId = organizationOfStream(event);
      if (organizationId === undefined) continue;
      const grouped = byOrganization.get(organizationId);
      if (grouped) grouped.push(event);
      else byOrganization.set(organizationId, [event]);
    }
    if (byOrganization.size === 0) return { paymentIds: [], organizationIds: [] };
    const ids = [...byOrganization.keys()];
    const rows = await selectOrganizationRows(trx, ids);
    const folded = new Map(rows.map((row) => [row.organization_id, rowToFoldedOrganization(row)]));

    const upserts: NewOrganizationRow[] = [];
    for (const [organizationId, organizationEvents] of byOrganization) {
      const organization = folded.get(organizationId) ?? newOrganization(organizationId);
      let lastPosition = 0n;
      for (const event of organizationEvents) {
        const domainEvent = { type: event.type, data: event.data };
        if (event.streamType === ORGANIZATION_BILLING_STREAM_TYPE) {
          if (event.streamVersion <= organization.billingStreamVersion || !isOrganizationBillingEvent(domainEvent))
            continue;
          organization.billing = evolveOrganizationBilling(organization.billing, domainEvent);
          organization.billingStreamVersion = event.streamVersion;
        } else {
          if (event.streamVersion <= organization.accountStreamVersion || !isOrganizationAccountEvent(domainEvent))
            continue;
          organization.account = evolveOrganizationAccount(organization.account, domainEvent);
          organization.accountStreamVersion = event.streamVersion;
        }
        lastPosition = event.position;
      }
      if (lastPosition !== 0n) upserts.push(foldedOrganizationToRow(organization, lastPosition));
    }

    if (upserts.length > 0) await upsertOrganizationRows(trx, upserts);
    return { paymentIds: [], organizationIds: ids };
  },
};

async function selectOrganizationRows(
  trx: Transaction<OrganizationReadTables>,
  ids: string[],
): Promise<OrganizationRow[]> {
  const { rows } = await sql<OrganizationRow>`
    SELECT * FROM organizations WHERE organization_id = ANY(${ids}::text[])`.execute(trx);
  return rows;
}

/**
 * One INSERT … ON CONFLICT for the whole batch, one array per column. The WHERE keeps a row that
 * is already at or past both folded stream versions: the guard against applying anything twice.
 */
async function upsertOrganizationRows(
  trx: Transaction<OrganizationReadTables>,
  rows: NewOrganizationRow[],
): Promise<void> {
  const column = <T>(pick: (row: NewOrganizationRow) => T) => rows.map(pick);
  await sql`
    INSERT INTO organizations (organization_id, billing_state, billing_stream_version, status, account_state,
                               account_stream_version, last_position)
    SELECT * FROM unnest(
      ${column((row) => row.organization_id)}::text[], ${column((row) => row.billing_state ?? null)}::jsonb[],
      ${column((row) => row.billing_stream_version)}::int[], ${column((row) => row.status)}::text[],
      ${column((row) => row.account_state)}::jsonb[], ${column((row) => row.account_stream_version)}::int[],
      ${column((row) => String(row.last_position))}::bigint[])
    ON CONFLICT (organization_id) DO UPDATE SET
      billing_state = excluded.billing_state, billing_stream_version = excluded.billing_stream_version,
      status = excluded.status, account_state = excluded.account_state,
      account_stream_version = excluded.account_stream_version, last_position = excluded.last_position
    WHERE (organizations.billing_stream_version, organizations.account_stream_version)
          <> (excluded.billing_stream_version, excluded.account_stream_version)
      AND organizations.billing_stream_version <= excluded.billing_stream_version
      AND organizations.account_stream_version <= excluded.account_stream_version`.execute(trx);
}
