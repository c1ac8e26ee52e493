import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { PROJECTIONS, REPORT_WORKFLOW, reportWorkflowId, TASK_QUEUES, type ReportRequest } from '@gyroscops/contracts';
import { startWorkflow } from '@gyroscops/platform';
import { REPORT_ORGANIZATIONS_MEMO, reportOrganizations } from './report-scope';
import type { QueryHandler } from '../query-bus/query-handler';
import { reportIdOf } from './report-request';
import { temporalFailure } from './temporal-failure';

/**
 * `POST /reports`: starts the report's workflow, or finds it. The workflow id comes from the report
 * id (a hash of the normalized request), so:
 * - identical requests while it runs attach to the one execution (`workflowIdConflictPolicy: USE_EXISTING`);
 * - a report that completed is not run again: its id cannot be reused (`ALLOW_DUPLICATE_FAILED_ONLY`
 *   rejects the start with WorkflowExecutionAlreadyStartedError) and its result is served as is, until
 *   the namespace's retention removes it;
 * - a report that failed, timed out or was terminated may run again.
 *
 * Runs through the bus for logs, timing and read-your-writes: with X-Min-Position the report starts
 * only once the payments projection it reads has reached that position. Never cached.
 */
const REPORT_EXECUTION_TIMEOUT = '1 hour';

export function createRequestReportQuery(
  temporal: Client,
  taskQueue: string = TASK_QUEUES.queries,
): QueryHandler<ReportRequest, { reportId: string }> {
  return {
    type: 'report-request',
    projections: [PROJECTIONS.payments],
    async handle(request) {
      const reportId = reportIdOf(request);
      try {
        await startWorkflow(temporal, REPORT_WORKFLOW, {
          workflowId: reportWorkflowId(reportId),
          taskQueue,
          args: [request],
          // Who may read the report (GET /reports/{id}): callers of every one of these organizations.
          memo: { [REPORT_ORGANIZATIONS_MEMO]: reportOrganizations(request) },
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
          // Bounded: with no query worker polling, a report fails after an hour (and may then be asked again) instead of running forever.
          workflowExecutionTimeout: REPORT_EXECUTION_TIMEOUT,
        });
      } catch (error) {
        // Completed before: that execution is the cached report.
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw temporalFailure(error, 'reports');
      }
      return { reportId };
    },
  };
}
