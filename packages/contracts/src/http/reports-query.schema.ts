import { Type, type Static } from '@sinclair/typebox';
import { Amount, CurrencyCode, OrganizationId } from './common.schema';
import { Instant } from './instant.schema';
import { PaymentSearchFilterSchema } from './payment-search-query.schema';

/** Largest time range a report may cover, in days: a bound on what one request can make the worker scan. */
export const REPORT_MAX_RANGE_DAYS = 366;
/** Rows a CSV export holds at most; `truncated` says when more matched. */
export const CSV_EXPORT_MAX_ROWS = 10_000;
/**
 * Bytes of CSV an export holds at most: the CSV travels in the workflow result, and Temporal refuses
 * payloads over 2 MB, so an export stops (truncated) before that, whatever its row count.
 */
export const CSV_EXPORT_MAX_BYTES = 1_000_000;

/** `POST /reports` body: what to compute. Identical requests (after normalization) are one report. */
export const ReportRequestBody = Type.Union(
  [
    Type.Object(
      {
        kind: Type.Literal('event-types'),
        from: Instant({ description: 'Recorded at or after (inclusive).' }),
        to: Instant({ description: 'Recorded before (exclusive).' }),
      },
      { additionalProperties: false, title: 'EventTypesReportRequest' },
    ),
    Type.Object(
      {
        kind: Type.Literal('payment-export-csv'),
        filter: PaymentSearchFilterSchema,
      },
      { additionalProperties: false, title: 'PaymentExportCsvReportRequest' },
    ),
    Type.Object(
      {
        kind: Type.Literal('payment-statistics'),
        organizationId: OrganizationId,
        from: Instant({ description: 'Payments created at or after (inclusive).' }),
        to: Instant({ description: 'Payments created before (exclusive).' }),
      },
      { additionalProperties: false, title: 'PaymentStatisticsReportRequest' },
    ),
  ],
  { description: 'One of three report kinds, told apart by `kind`.' },
);
export type ReportRequestBody = Static<typeof ReportRequestBody>;

export const ReportIdParams = Type.Object(
  {
    reportId: Type.String({
      pattern: '^[0-9a-f]{32}$',
      description: 'Derived from the normalized request: the same request is the same report.',
    }),
  },
  { additionalProperties: false },
);
export type ReportIdParams = Static<typeof ReportIdParams>;

export const ReportAccepted = Type.Object({ reportId: Type.String() });

export const EventTypesReport = Type.Object({
  kind: Type.Literal('event-types'),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  total: Type.Integer({ minimum: 0 }),
  byType: Type.Array(Type.Object({ type: Type.String(), count: Type.Integer({ minimum: 0 }) })),
  generatedAt: Type.String({ format: 'date-time' }),
});
export type EventTypesReport = Static<typeof EventTypesReport>;

export const PaymentExportCsvReport = Type.Object({
  kind: Type.Literal('payment-export-csv'),
  contentType: Type.Literal('text/csv'),
  /** RFC 4180, header line first, CRLF line ends. */
  csv: Type.String(),
  rowCount: Type.Integer({ minimum: 0 }),
  truncated: Type.Boolean({
    description: `true when more payments matched than the export holds (${CSV_EXPORT_MAX_ROWS} rows or ${CSV_EXPORT_MAX_BYTES} bytes).`,
  }),
  generatedAt: Type.String({ format: 'date-time' }),
});
export type PaymentExportCsvReport = Static<typeof PaymentExportCsvReport>;

export const StatusTotals = Type.Object({ count: Type.Integer({ minimum: 0 }), amount: Amount });

/** One currency of a statistics report (amounts in that currency, as decimal strings). */
export const ReportCurrencyStatistics = Type.Object({
  count: Type.Integer({ minimum: 0 }),
  totalAmount: Amount,
  averageAmount: Type.String({
    pattern: Amount.pattern,
    description: "totalAmount / count, rounded half up to the currency's minor unit.",
  }),
  byStatus: Type.Record(Type.String(), StatusTotals, { description: 'Per status (only statuses that occur).' }),
});
export type ReportCurrencyStatistics = Static<typeof ReportCurrencyStatistics>;

export const PaymentStatisticsReport = Type.Object({
  kind: Type.Literal('payment-statistics'),
  organizationId: Type.String(),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  currencies: Type.Record(CurrencyCode, ReportCurrencyStatistics, {
    description: 'Per ISO 4217 currency, as GET /statistics/payments shows them.',
  }),
  generatedAt: Type.String({ format: 'date-time' }),
});
export type PaymentStatisticsReport = Static<typeof PaymentStatisticsReport>;

export const ReportResult = Type.Union([EventTypesReport, PaymentExportCsvReport, PaymentStatisticsReport]);
export type ReportResult = Static<typeof ReportResult>;

export const ReportStatus = Type.Object({
  reportId: Type.String(),
  state: Type.Union([Type.Literal('running'), Type.Literal('completed'), Type.Literal('failed')]),
  result: Type.Optional(ReportResult),
  error: Type.Optional(Type.Object({ message: Type.String() })),
});
export type ReportStatus = Static<typeof ReportStatus>;
