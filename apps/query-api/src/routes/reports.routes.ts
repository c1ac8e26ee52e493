import type { Client } from '@temporalio/client';
import {
  ReadYourWritesHeaders,
  ReportAccepted,
  ReportIdParams,
  ReportRequestBody,
  ReportStatus,
  TASK_QUEUES,
} from '@gyroscops/contracts';
import {
  authenticatedProblems,
  bodyRouteProblems,
  ApplicationError,
  requireOrganization,
  requireRole,
  type HttpApp,
} from '@gyroscops/platform';
import type { FastifyRequest } from 'fastify';
import type { ReportRequest } from '@gyroscops/contracts';
import { scopeToCaller } from '../queries/caller-scope';
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

/**
 * A report limited to what the caller may see: statistics of one of the caller's organizations (403
 * otherwise), a CSV export of a named organization of the caller's or of all of them, and event-type
 * counts (every organization) for admins only.
 */
function scopedReport(request: FastifyRequest, report: ReportRequest): ReportRequest {
  switch (report.kind) {
    case 'event-types':
      requireRole(request, 'admin');
      return report;
    case 'payment-statistics':
      requireOrganization(request, report.organizationId);
      return report;
    case 'payment-export-csv':
      return { ...report, criteria: scopeToCaller(request, report.criteria) };
    default: {
      const _exhaustive: never = report;
      return _exhaustive;
    }
  }
}

const disabled = () =>
  new ApplicationError('UNAVAILABLE', 'reports are disabled on this instance (no Temporal connection configured)');

/**
 * `POST /reports` and `GET /reports/{reportId}`: heavy analytics as query workflows in the query
 * worker. Identical requests are one report (one execution); a completed report is served again as is.
 */
export function registerReportRoutes(app: HttpApp, deps: ReportRoutesDependencies): void {
  const { temporal } = deps;
  const requestReport = temporal
    ? createRequestReportQuery(temporal, deps.taskQueue ?? TASK_QUEUES.queries)
    : undefined;
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
        response: {
          202: {
            ...ReportAccepted,
            description: 'The report id; follow Location for its state and result',
            headers: { location: { type: 'string', description: '/reports/{reportId}' } },
          },
          ...bodyRouteProblems(400, 403),
        },
      },
    },
    async (request, reply) => {
      if (!requestReport) throw disabled();
      const normalized = scopedReport(request, normalizeReportRequest(request.body));
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
        response: {
          200: { ...ReportStatus, description: 'The report: running, completed with its result, or failed' },
          ...authenticatedProblems(400, 404),
        },
      },
    },
    async (request, reply) => {
      if (!reportStatus) throw disabled();
      const caller = { organizations: request.caller.organizations, admin: request.caller.roles.includes('admin') };
      const status = await deps.bus.execute(
        reportStatus,
        { reportId: request.params.reportId, caller },
        request,
        reply,
      );
      if (!status) throw new ApplicationError('NOT_FOUND', `report ${request.params.reportId} not found`);
      return status;
    },
  );
}
