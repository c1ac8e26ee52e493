import {
  initialOrganizationAccountState,
  initialOrganizationBillingState,
  type OrganizationAccountState,
  type OrganizationBillingState,
} from '@gyroscops/domain';
import { decodeBillingState, encodeBillingState } from './billing-state-codec';
import { toOrganizationBillingView, type OrganizationBillingView } from './organization-view';
import type { NewOrganizationRow, OrganizationRow } from './organizations.table';

/** What one row folds: both streams' states and how far into each stream they are. */
export interface FoldedOrganization {
  organizationId: string;
  billing: OrganizationBillingState;
  billingStreamVersion: number;
  account: OrganizationAccountState;
  accountStreamVersion: number;
}

export function rowToFoldedOrganization(row: OrganizationRow): FoldedOrganization {
  return {
    organizationId: row.organization_id,
    billing: row.billing_state === null ? initialOrganizationBillingState : decodeBillingState(row.billing_state),
    billingStreamVersion: row.billing_stream_version,
    // Fields a later account state added start from their initial values in a row written before it.
    account: { ...initialOrganizationAccountState, ...row.account_state },
    accountStreamVersion: row.account_stream_version,
  };
}

export function foldedOrganizationToRow(folded: FoldedOrganization, lastPosition: bigint): NewOrganizationRow {
  return {
    organization_id: folded.organizationId,
    billing_state: folded.billing.kind === 'absent' ? null : JSON.stringify(encodeBillingState(folded.billing)),
    billing_stream_version: folded.billingStreamVersion,
    status: folded.account.status,
    account_state: JSON.stringify(folded.account),
    account_stream_version: folded.accountStreamVersion,
    last_position: lastPosition.toString(),
  };
}

/** The view of a row, or null while the organization has no plan. */
export function rowToOrganizationView(row: OrganizationRow): OrganizationBillingView | null {
  const folded = rowToFoldedOrganization(row);
  return toOrganizationBillingView(folded.organizationId, folded.billing, folded.account);
}
