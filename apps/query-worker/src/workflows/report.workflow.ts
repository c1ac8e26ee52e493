import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { ReportRequest, ReportResult } from '@gyroscops/contracts';
import type { QueryActivities } from '../activities/create-query-activities';

const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 };

const { countEventsByType, paymentStatistics } = proxyActivities<QueryActivities>({
  startToCloseTimeout: '10 minutes',
  retry,
});

// The export pages through a search and heartbeats after each page: a stuck one is retried in a minute, not ten.
const { exportPaymentsCsv } = proxyActivities<QueryActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry,
});

/**
 * One report, run once per report id (the workflow id): event counts per type, payment statistics of
 * an organization, or a CSV export of a payment search. `generatedAt` is the workflow's clock when it
 * started reading: a reused report says how old its data is.
 */
export async function reportWorkflow(request: ReportRequest): Promise<ReportResult> {
  const generatedAt = new Date().toISOString();
  switch (request.kind) {
    case 'event-types': {
      const byType = await countEventsByType({ from: request.from, to: request.to });
      return {
        kind: 'event-types',
        from: request.from,
        to: request.to,
        total: byType.reduce((sum, entry) => sum + entry.count, 0),
        byType,
        generatedAt,
      };
    }
    case 'payment-statistics': {
      const currencies = await paymentStatistics({
        organizationId: request.organizationId,
        from: request.from,
        to: request.to,
      });
      return {
        kind: 'payment-statistics',
        organizationId: request.organizationId,
        from: request.from,
        to: request.to,
        currencies,
        generatedAt,
      };
    }
    case 'payment-export-csv': {
      const exported = await exportPaymentsCsv(request.criteria);
      return { kind: 'payment-export-csv', contentType: 'text/csv', ...exported, generatedAt };
    }
    default: {
      const _exhaustive: never = request;
      // A request from a newer API this worker does not know: fail the report, do not retry the task forever.
      throw ApplicationFailure.nonRetryable(
        `unknown report kind ${String((_exhaustive as { kind?: unknown }).kind)}`,
        'UNKNOWN_REPORT_KIND',
      );
    }
  }
}
