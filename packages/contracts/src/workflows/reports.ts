import type { PaymentSearchCriteria } from '../http/payment-search-query.schema';
import type { ReportResult } from '../http/reports-query.schema';
import { defineWorkflow } from './workflow-definition';

/**
 * One workflow id per report id, and the report id is a hash of the normalized request: identical
 * requests start (or find) the same execution, which is how they coalesce and how results are reused.
 */
export const reportWorkflowId = (reportId: string) => `report-${reportId}`;

/**
 * The normalized input of the report workflow (instants as ISO strings, search criteria canonical),
 * so equal requests are equal values and hash to the same report id.
 */
export type ReportRequest =
  | { kind: 'event-types'; from: string; to: string }
  | { kind: 'payment-export-csv'; criteria: PaymentSearchCriteria }
  | { kind: 'payment-statistics'; organizationId: string; from: string; to: string };

export type ReportKind = ReportRequest['kind'];

/** Runs one report; its result is the report, kept as the execution's result until retention. */
export type ReportWorkflow = (request: ReportRequest) => Promise<ReportResult>;
export const REPORT_WORKFLOW = defineWorkflow<ReportWorkflow>()('reportWorkflow');
