import { createHash } from 'node:crypto';
import { REPORT_MAX_RANGE_DAYS, type ReportRequest, type ReportRequestBody } from '@gyroscops/contracts';
import { canonicalJson } from '@gyroscops/cache';
import { ApplicationError } from '@gyroscops/platform';
import { toPaymentSearchCriteria } from './payment-search-criteria';

const DAY_MS = 86_400_000;

/** A time range of a report: canonical ISO instants, `from` before `to`, at most REPORT_MAX_RANGE_DAYS long. */
function range(body: { from: string; to: string }): { from: string; to: string } {
  const from = new Date(body.from);
  const to = new Date(body.to);
  if (from.getTime() >= to.getTime())
    throw new ApplicationError('VALIDATION', 'to must be after from', [
      { path: 'body:/to', message: 'must be after from' },
    ]);
  if (to.getTime() - from.getTime() > REPORT_MAX_RANGE_DAYS * DAY_MS) {
    throw new ApplicationError('VALIDATION', `a report covers at most ${REPORT_MAX_RANGE_DAYS} days`, [
      { path: 'body:/to', message: `must be at most ${REPORT_MAX_RANGE_DAYS} days after from` },
    ]);
  }
  return { from: from.toISOString(), to: to.toISOString() };
}

/**
 * The canonical form of a report request, which is also the workflow's input: instants in ISO, search
 * filters as canonical criteria (statuses sorted, amounts in minor units, defaults filled in). Two
 * requests that mean the same report become the same value. 400 for filters that do not fit together.
 */
export function normalizeReportRequest(body: ReportRequestBody): ReportRequest {
  switch (body.kind) {
    case 'event-types':
      return { kind: 'event-types', ...range(body) };
    case 'payment-statistics':
      return { kind: 'payment-statistics', organizationId: body.organizationId, ...range(body) };
    case 'payment-export-csv':
      return { kind: 'payment-export-csv', criteria: toPaymentSearchCriteria(body.filter, 'body:/filter') };
    default: {
      const _exhaustive: never = body;
      throw new ApplicationError(
        'VALIDATION',
        `unknown report kind ${String((_exhaustive as { kind?: unknown }).kind)}`,
      );
    }
  }
}

/** Bump to start afresh (new ids, no reuse) when what a report computes changes. */
const REPORT_ID_VERSION = 'v1';

/**
 * The report id: a hash of the normalized request with its keys sorted. Deterministic, so identical
 * requests (in any key order, however concurrent) name the same workflow execution.
 */
export function reportIdOf(request: ReportRequest): string {
  return createHash('sha256')
    .update(`${REPORT_ID_VERSION}:${canonicalJson(request)}`)
    .digest('hex')
    .slice(0, 32);
}
