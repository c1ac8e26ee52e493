import { foldInvoice, initialInvoiceState, INVOICE_EVENT_TYPES, isInvoiceEvent, type InvoiceEvent } from './invoice';
import { toInvoiceView } from './invoice-view';
import {
  evolveOrganizationAccount,
  initialOrganizationAccountState,
  isOrganizationAccountEvent,
  ORGANIZATION_ACCOUNT_EVENT_TYPES,
} from './organization-account';
import {
  BILLING_EVENT_SCHEMA_VERSION,
  foldOrganizationBilling,
  initialOrganizationBillingState,
  isOrganizationBillingEvent,
  ORGANIZATION_BILLING_EVENT_TYPES,
  type OrganizationBillingEvent,
} from './organization-billing';
import { closeCycle, FEB_28, ORG_ID, record, recordUsage, setPlan, T0 } from './test-support/fixtures';
import { billingHistory } from './test-support/given';

describe('billing events', () => {
  it('are listed per stream, recognised by type name, at schema version 1', () => {
    expect(ORGANIZATION_BILLING_EVENT_TYPES).toEqual(['BillingPlanSet', 'UsageRecorded', 'BillingCycleClosed']);
    expect(INVOICE_EVENT_TYPES).toEqual([
      'InvoiceIssued',
      'InvoicePaymentStarted',
      'InvoicePaid',
      'InvoicePaymentFailed',
      'InvoiceUncollectible',
      'InvoiceVoided',
      'InvoiceRefundRecorded',
    ]);
    expect(ORGANIZATION_ACCOUNT_EVENT_TYPES).toEqual([
      'OrganizationSuspended',
      'OrganizationReinstated',
      'OrganizationInvoiceSettled',
      'OrganizationPaymentMethodSet',
    ]);
    expect(BILLING_EVENT_SCHEMA_VERSION).toBe(1);
    for (const type of ORGANIZATION_BILLING_EVENT_TYPES)
      expect(isOrganizationBillingEvent({ type, data: {} })).toBe(true);
    for (const type of INVOICE_EVENT_TYPES) expect(isInvoiceEvent({ type, data: {} })).toBe(true);
    for (const type of ORGANIZATION_ACCOUNT_EVENT_TYPES)
      expect(isOrganizationAccountEvent({ type, data: {} })).toBe(true);
    for (const type of ['PaymentInitiated', 'constructor', '__proto__']) {
      expect([
        isOrganizationBillingEvent({ type, data: {} }),
        isInvoiceEvent({ type, data: {} }),
        isOrganizationAccountEvent({ type, data: {} }),
      ]).toEqual([false, false, false]);
    }
  });

  it('fold the same from their stored JSON as from memory', () => {
    const events = billingHistory(
      [setPlan(), T0],
      [recordUsage([record({ quantity: '2.5' })]), T0],
      [closeCycle(1), FEB_28],
    );
    expect(foldOrganizationBilling(JSON.parse(JSON.stringify(events)) as OrganizationBillingEvent[])).toEqual(
      foldOrganizationBilling(events),
    );
  });

  it('are facts: an event before the stream began leaves the empty state as it is', () => {
    const usage = billingHistory([setPlan(), T0], [recordUsage([record()]), T0])[1]!;
    expect(foldOrganizationBilling([usage])).toBe(initialOrganizationBillingState);
    const paid: InvoiceEvent = {
      type: 'InvoicePaid',
      data: { invoiceId: 'i', paymentId: 'p', amount: '1.00', occurredAt: T0 },
    };
    expect(foldInvoice([paid])).toBe(initialInvoiceState);
    expect(toInvoiceView(initialInvoiceState)).toBeNull();
  });

  it('count towards the version even when they change nothing', () => {
    const again = evolveOrganizationAccount(
      evolveOrganizationAccount(initialOrganizationAccountState, {
        type: 'OrganizationReinstated',
        data: { organizationId: ORG_ID, invoiceId: 'i', occurredAt: T0 },
      }),
      { type: 'OrganizationReinstated', data: { organizationId: ORG_ID, invoiceId: 'i', occurredAt: T0 } },
    );
    expect(again).toMatchObject({ version: 2, status: 'active' });
  });
});
