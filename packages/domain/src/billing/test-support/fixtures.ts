import type { OrganizationAccountCommand } from '../organization-account';
import type { InvoiceCommand } from '../invoice-commands';
import type { OrganizationBillingCommand } from '../organization-billing-commands';
import type { BillingPlanInput } from '../plan';
import type { UsageRecordInput } from '../usage';

/* Builders for the billing specs: a sensible default for every field, overridable. */

export const ORG_ID = '6a1f3d2c-1111-4e2b-8c3d-5e6f7a8b9c0d';
export const OTHER_ORG_ID = '7b2e4d3c-2222-4f3c-9d4e-6f7a8b9c0d1e';
/** A month end, so monthly cycles show their clamping: Feb 28, Mar 31, Apr 30. */
export const T0 = '2025-01-31T00:00:00.000Z';
export const FEB_28 = '2025-02-28T00:00:00.000Z';
export const MAR_31 = '2025-03-31T00:00:00.000Z';
export const APR_30 = '2025-04-30T00:00:00.000Z';

/** A stand-in for the production UUIDv5: deterministic, and readable in assertions. */
export const deriveId = (name: string): string => `id(${name})`;

/** The id CloseBillingCycle gives the invoice of cycle `sequence` of ORG_ID. */
export const invoiceIdOf = (sequence: number, organizationId = ORG_ID): string =>
  deriveId(`invoice:${organizationId}:${sequence}`);

/** ms after an ISO instant, as an ISO instant. */
export const plus = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** EUR, monthly, a 10.00 base fee and one meter of each aggregation. */
export const planInput = (over: Partial<BillingPlanInput> = {}): BillingPlanInput => ({
  currency: 'EUR',
  cycle: 'P1M',
  baseFee: '10.00',
  meters: {
    cpu_seconds: { unitPrice: '0.000012', aggregation: 'sum' },
    requests: { unitPrice: '0.0001', aggregation: 'count' },
    seats: { unitPrice: '5', aggregation: 'max' },
  },
  ...over,
});

export const setPlan = (over: Partial<BillingPlanInput> = {}, organizationId = ORG_ID): OrganizationBillingCommand => ({
  type: 'SetBillingPlan',
  data: { organizationId, plan: planInput(over) },
});

let recordCounter = 0;
/** A usage record of ORG_ID; each call gets a new recordId unless one is given. */
export const record = (over: Partial<UsageRecordInput> = {}): UsageRecordInput => {
  recordCounter += 1;
  return {
    recordId: `rec-${recordCounter}`,
    organizationId: ORG_ID,
    meter: 'cpu_seconds',
    quantity: '1',
    occurredAt: T0,
    ...over,
  };
};

export const recordUsage = (records: UsageRecordInput[], organizationId = ORG_ID): OrganizationBillingCommand => ({
  type: 'RecordUsage',
  data: { organizationId, records },
});

export const closeCycle = (cycleSequence?: number, organizationId = ORG_ID): OrganizationBillingCommand => ({
  type: 'CloseBillingCycle',
  data: cycleSequence === undefined ? { organizationId } : { organizationId, cycleSequence },
});

export const startPayment = (invoiceId: string, paymentId: string): InvoiceCommand => ({
  type: 'StartInvoicePayment',
  data: { invoiceId, paymentId },
});
export const approve = (invoiceId: string, paymentId: string): InvoiceCommand => ({
  type: 'RecordInvoicePaymentResult',
  data: { invoiceId, paymentId, outcome: 'approved' },
});
export const decline = (invoiceId: string, paymentId: string, reason = 'card_declined'): InvoiceCommand => ({
  type: 'RecordInvoicePaymentResult',
  data: { invoiceId, paymentId, outcome: 'declined', reason },
});
export const voidInvoice = (invoiceId: string, reason = 'billed by mistake'): InvoiceCommand => ({
  type: 'VoidInvoice',
  data: { invoiceId, reason },
});
export const refundInvoice = (
  invoiceId: string,
  paymentId: string,
  amount: string,
  refundId = 'refund-1',
): InvoiceCommand => ({
  type: 'RecordInvoiceRefund',
  data: { invoiceId, paymentId, refundId, amount },
});

export const suspend = (invoiceId: string, organizationId = ORG_ID): OrganizationAccountCommand => ({
  type: 'SuspendOrganization',
  data: { organizationId, invoiceId },
});
export const reinstate = (invoiceId: string, organizationId = ORG_ID): OrganizationAccountCommand => ({
  type: 'ReinstateOrganization',
  data: { organizationId, invoiceId },
});
