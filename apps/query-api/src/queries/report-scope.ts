import type { ReportRequest } from '@gyroscops/contracts';

/** Memo key of a report workflow: the organizations whose data it reads (empty: every organization). */
export const REPORT_ORGANIZATIONS_MEMO = 'organizations';

/** The organizations a report reads; empty for reports over every organization (event types). */
export function reportOrganizations(report: ReportRequest): string[] {
  switch (report.kind) {
    case 'event-types':
      return [];
    case 'payment-statistics':
      return [report.organizationId];
    case 'payment-export-csv':
      return report.criteria.organizationId !== undefined
        ? [report.criteria.organizationId]
        : [...(report.criteria.organizationIds ?? [])];
    default: {
      const _exhaustive: never = report;
      return _exhaustive;
    }
  }
}

/**
 * Whether a caller may read a report: it must be allowed every organization the report reads; a report
 * over every organization (or one without the memo) only by admins.
 */
export function reportVisibleTo(
  memo: Record<string, unknown> | undefined,
  caller: { organizations: string[]; admin: boolean },
): boolean {
  const organizations = memo?.[REPORT_ORGANIZATIONS_MEMO];
  if (!Array.isArray(organizations) || organizations.length === 0) return caller.admin;
  return organizations.every(
    (organization) => typeof organization === 'string' && caller.organizations.includes(organization),
  );
}
