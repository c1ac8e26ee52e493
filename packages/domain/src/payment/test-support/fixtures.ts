import type { PaymentCommand } from '../commands';
import type { PaymentEvent, PaymentEventOf } from '../payment';

/* Builders for the given/when/then specs: a sensible default for every field, overridable. */

export const PAYMENT_ID = '0b5e6c1e-4c8f-4f39-9d5e-7d7a1c2b9f10';
export const ORG_ID = '6a1f3d2c-1111-4e2b-8c3d-5e6f7a8b9c0d';
export const USER_ID = 'b2c3d4e5-2222-4f60-9a7b-8c9d0e1f2a3b';
export const T0 = '2025-03-01T10:00:00.000Z';
export const T1 = '2025-03-01T10:00:01.000Z';
export const T2 = '2025-03-01T10:05:00.000Z';
export const T3 = '2025-03-02T09:00:00.000Z';
export const NOW = '2025-03-03T12:00:00.000Z';

type Data<T extends PaymentEvent['type']> = PaymentEventOf<T>['data'];

export const initiated = (over: Partial<Data<'PaymentInitiated'>> = {}): PaymentEvent => ({
  type: 'PaymentInitiated',
  data: {
    paymentId: PAYMENT_ID,
    organizationId: ORG_ID,
    userId: USER_ID,
    amount: '100.00',
    currency: 'EUR',
    description: null,
    metadata: {},
    occurredAt: T0,
    ...over,
  },
});

export const processed = (over: Partial<Data<'PaymentProcessed'>> = {}): PaymentEvent => ({
  type: 'PaymentProcessed',
  data: { paymentId: PAYMENT_ID, gatewayReference: 'gw_123', occurredAt: T1, ...over },
});

export const failed = (over: Partial<Data<'PaymentFailed'>> = {}): PaymentEvent => ({
  type: 'PaymentFailed',
  data: { paymentId: PAYMENT_ID, reason: 'card_declined', occurredAt: T1, ...over },
});

export const updated = (changes: Data<'PaymentUpdated'>['changes'], occurredAt = T2): PaymentEvent => ({
  type: 'PaymentUpdated',
  data: { paymentId: PAYMENT_ID, changes, occurredAt },
});

export const refunded = (
  amount: string,
  refundedTotal: string,
  over: Partial<Data<'PaymentRefunded'>> = {},
): PaymentEvent => ({
  type: 'PaymentRefunded',
  data: {
    paymentId: PAYMENT_ID,
    refundId: `r-${refundedTotal}`,
    amount,
    reason: null,
    refundedTotal,
    occurredAt: T2,
    ...over,
  },
});

export const refundRequested = (amount: string, over: Partial<Data<'RefundRequested'>> = {}): PaymentEvent => ({
  type: 'RefundRequested',
  data: { paymentId: PAYMENT_ID, refundId: 'refund-1', amount, reason: null, occurredAt: T2, ...over },
});

export const refundDeclined = (amount: string, over: Partial<Data<'RefundDeclined'>> = {}): PaymentEvent => ({
  type: 'RefundDeclined',
  data: { paymentId: PAYMENT_ID, refundId: 'refund-1', amount, reason: 'refund_declined', occurredAt: T2, ...over },
});

export const deleted = (over: Partial<Data<'PaymentDeleted'>> = {}): PaymentEvent => ({
  type: 'PaymentDeleted',
  data: { paymentId: PAYMENT_ID, reason: null, occurredAt: T3, ...over },
});

type CommandData<T extends PaymentCommand['type']> = Extract<PaymentCommand, { type: T }>['data'];

export const createPayment = (over: Partial<CommandData<'CreatePayment'>> = {}): PaymentCommand => ({
  type: 'CreatePayment',
  data: { paymentId: PAYMENT_ID, organizationId: ORG_ID, userId: USER_ID, amount: '100.00', currency: 'EUR', ...over },
});

export const approveCharge = (gatewayReference = 'gw_123', paymentId = PAYMENT_ID): PaymentCommand => ({
  type: 'RecordChargeResult',
  data: { paymentId, outcome: 'approved', gatewayReference },
});

export const declineCharge = (reason = 'card_declined', paymentId = PAYMENT_ID): PaymentCommand => ({
  type: 'RecordChargeResult',
  data: { paymentId, outcome: 'declined', reason },
});

export const updatePayment = (
  fields: Omit<CommandData<'UpdatePayment'>, 'paymentId'>,
  paymentId = PAYMENT_ID,
): PaymentCommand => ({
  type: 'UpdatePayment',
  data: { paymentId, ...fields },
});

export const refundPayment = (amount: string, over: Partial<CommandData<'RefundPayment'>> = {}): PaymentCommand => ({
  type: 'RefundPayment',
  data: { paymentId: PAYMENT_ID, refundId: 'refund-1', amount, ...over },
});

export const deletePayment = (over: Partial<CommandData<'DeletePayment'>> = {}): PaymentCommand => ({
  type: 'DeletePayment',
  data: { paymentId: PAYMENT_ID, ...over },
});

export const approveRefund = (refundId = 'refund-1', gatewayReference = 'gw_re_1'): PaymentCommand => ({
  type: 'RecordRefundResult',
  data: { paymentId: PAYMENT_ID, refundId, outcome: 'approved', gatewayReference },
});

export const declineRefund = (refundId = 'refund-1', reason = 'refund_declined'): PaymentCommand => ({
  type: 'RecordRefundResult',
  data: { paymentId: PAYMENT_ID, refundId, outcome: 'declined', reason },
});
