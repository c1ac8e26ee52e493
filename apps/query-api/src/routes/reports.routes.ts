import type { Client } from '@temporalio/client';
import { ReadYourWritesHeaders, ReportAccepted, ReportIdParams, ReportRequestBody, ReportStatus, TASK_QUEUES } from '@gyroscops/contracts';
import { ApplicationError, problemResponses, type HttpApp } from '@gyroscops/platform';
import type { QueryBus } from '../query-bus/query-handler';
import { normalizeReportRequest } from '../queries/report-request';
import { createReportStatusQuery } from '../queries/report-status.query';
import { createRequestReportQuery } from '../queries/request-report.query';

export interface ReportRoutesDependencies {
  bus: QueryBus;
  /** Without a Temporal client reports are disabled: the routes answer 503. */
  temporal?: Client;
  taskQueue?: string;
}

const disabled = () => new ApplicationError('UNAVAILABLE', 'reports are disabled on this instance (no Temporal connection configured)');

/**
 * `POST /reports` and `GET /reports/{reportId}`: heavy analytics as query workflows in the query
 * worker. Identical requests are one report (one execution); a completed report is served again as is.
 */
export function registerReportRoutes(app: HttpApp, deps: ReportRoutesDependencies): void {
  const { temporal } = deps;
  const requestReport = temporal ? createRequestReportQuery(temporal, deps.taskQueue ?? TASK_QUEUES.queries) : undefined;
  const reportStatus = temporal ? createReportStatusQuery(temporal) : undefined;

  app.post(
    '/reports',
    {
      schema: {
        tags: ['reports'],
        operationId: 'requestReport',
        summary: 'Request a report; identical requests share one report, a completed one is reused',
        description:
          'Answers 202 with `Location: /reports/{reportId}`. The report id is derived from the normalized request, so the same ' +
          `request gives the same id and runs once; its result (taken when it ran) is reused until the workflow's retention ends. ` +
          'Time ranges are [from, to) and at most 366 days. A CSV export holds at most 10 000 rows and 1 MB (then `truncated`).',
        body: ReportRequestBody,
        headers: ReadYourWritesHeaders,
        response: { 202: ReportAccepted, ...problemResponses(400, 413, 415, 500, 503) },
      },
    },
    async (request, reply) => {
      if (!requestReport) throw disabled();
      const normalized = normalizeReportRequest(request.body);
      const accepted = await deps.bus.execute(requestReport, normalized, request, reply);
      return reply.code(202).header('location', `/reports/${accepted.reportId}`).send(accepted);
    },
  );

  app.get(
    '/reports/:reportId',
    {
      schema: {
        tags: ['reports'],
        operationId: 'getReport',
        summary: 'State of a report: running, completed (with its result) or failed',
        params: ReportIdParams,
        headers: ReadYourWritesHeaders,
        response: { 200: ReportStatus, ...problemResponses(400, 404, 500, 503) },
      },
    },
    async (request, reply) => {
      if (!reportStatus) throw disabled();
      const status = await deps.bus.execute(reportStatus, { reportId: request.params.reportId }, request, reply);
      if (!status) throw new ApplicationError('NOT_FOUND', `report ${request.params.reportId} not found`);
      return status;
    },
  );
}
