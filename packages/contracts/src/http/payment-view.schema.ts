import { Type, type Static } from '@sinclair/typebox';
import { Amount, CurrencyCode, Metadata, PaymentStatus, Uuid } from './common.schema';

/** The query side's view of one payment. */
export const PaymentViewSchema = Type.Object({
  paymentId: Uuid,
  organizationId: Type.String(),
  userId: Type.String(),
  amount: Amount,
  currency: CurrencyCode,
  status: PaymentStatus,
  description: Type.Union([Type.String(), Type.Null()]),
  refundedAmount: Amount,
  metadata: Metadata,
  invoiceId: Type.Union([Uuid, Type.Null()], {
    description: 'The invoice this payment pays (billing starts such payments); null for a payment of its own.',
  }),
  failureReason: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  version: Type.Integer({ minimum: 1 }),
});
export type PaymentViewBody = Static<typeof PaymentViewSchema>;

export const ReadYourWritesHeaders = Type.Object({
  'x-min-position': Type.Optional(
    Type.String({
      pattern: '^\\d{1,19}$',
      description: 'Wait until the projections read here reached this event position.',
    }),
  ),
  'x-wait-ms': Type.Optional(
    Type.String({
      pattern: '^\\d{1,5}$',
      description: 'How long to wait for X-Min-Position, default 2000, at most 10000.',
    }),
  ),
});
