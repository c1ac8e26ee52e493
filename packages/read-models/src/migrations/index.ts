import type { MigrationSet } from '@gyroscops/platform';
import * as createPayments from './2026-11-23T000400_create_payments';
import * as paymentsSearchIndexes from './2026-11-23T001000_payments_search_indexes';
import * as createStatisticsAndEventCounts from './2026-11-23T000600_create_statistics_and_event_counts';
import * as eventCountsByOrganization from './2026-12-06T000000_event_counts_by_organization';
import * as paymentsInvoiceId from './2026-12-06T010000_payments_invoice_id';
import * as createInvoices from './2026-12-06T020000_create_invoices';
import * as createOrganizations from './2026-12-06T020100_create_organizations';
import * as createUsageSeries from './2026-12-06T021000_create_usage_series';
import * as createPaymentAnalytics from './2026-12-06T021100_create_payment_analytics';
import * as createRevenueAnalytics from './2026-12-06T021200_create_revenue_analytics';

export const readModelMigrations: MigrationSet = {
  name: 'read_models',
  migrations: {
    '2026-11-23T000400_create_payments': createPayments,
    '2026-11-23T000600_create_statistics_and_event_counts': createStatisticsAndEventCounts,
    '2026-11-23T001000_payments_search_indexes': paymentsSearchIndexes,
    '2026-12-06T000000_event_counts_by_organization': eventCountsByOrganization,
    '2026-12-06T010000_payments_invoice_id': paymentsInvoiceId,
    '2026-12-06T020000_create_invoices': createInvoices,
    '2026-12-06T020100_create_organizations': createOrganizations,
    '2026-12-06T021000_create_usage_series': createUsageSeries,
    '2026-12-06T021100_create_payment_analytics': createPaymentAnalytics,
    '2026-12-06T021200_create_revenue_analytics': createRevenueAnalytics,
  },
};
