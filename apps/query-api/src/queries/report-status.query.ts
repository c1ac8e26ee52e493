import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { REPORT_WORKFLOW, reportWorkflowId, type ReportStatus } from '@gyroscops/contracts';
import { workflowHandle } from '@gyroscops/platform';
import type { QueryHandler } from '../query-bus/query-handler';
import { reportVisibleTo } from './report-scope';
import { temporalFailure } from './temporal-failure';

/** The innermost message of a failure chain: the activity's own error, not "Activity task failed". */
function rootMessage(error: unknown): string {
  let current = error as { message?: string; cause?: unknown } | undefined;
  while (current?.cause) current = current.cause as { message?: string; cause?: unknown };
  return current?.message ?? 'the report failed';
}

/**
 * `GET /reports/{reportId}`: the state of the report's workflow execution, with its result once
 * completed. null for an id no execution has (never requested, or past the namespace's retention).
 * Not cached: a running report changes state; a completed one is one Temporal call away.
 */
export function createReportStatusQuery(
  temporal: Client,
): QueryHandler<{ reportId: string; caller: { organizations: string[]; admin: boolean } }, ReportStatus | null> {
  return {
    type: 'report-status',
    projections: [],
    async handle({ reportId, caller }) {
      const handle = workflowHandle(temporal, REPORT_WORKFLOW, reportWorkflowId(reportId));
      let status: string;
      try {
        const description = await handle.describe();
        // Another organization's report answers 404 like an unknown one.
        if (!reportVisibleTo(description.memo, caller)) return null;
        status = description.status.name;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return null;
        throw temporalFailure(error, 'reports');
      }
      if (status === 'RUNNING' || status === 'CONTINUED_AS_NEW') return { reportId, state: 'running' };
      try {
        const result = await handle.result();
        return { reportId, state: 'completed', result };
      } catch (error) {
        if (error instanceof WorkflowFailedError)
          return { reportId, state: 'failed', error: { message: rootMessage(error) } };
        throw temporalFailure(error, 'reports');
      }
    },
  };
}
