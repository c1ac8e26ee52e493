import { formatStoredAmount } from '../money';
import type { Metadata } from './commands';
import type { PaymentState, PaymentStatus } from './payment';

/** A payment as clients see it: amounts as canonical decimal strings, no bigint. */
export interface PaymentView {
  paymentId: string;
  organizationId: string;
  userId: string;
  amount: string;
  currency: string;
  status: PaymentStatus;
  description: string | null;
  refundedAmount: string;
  metadata: Metadata;
  /** The invoice this payment pays, or null for a payment of its own. */
  invoiceId: string | null;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
  /** True once deleted: the live view hides such payments, history and as-of views show them. */
  deleted: boolean;
}

/** The view of a folded state, or null for a payment that was never initiated. Never throws. */
export function toPaymentView(state: PaymentState): PaymentView | null {
  if (state.kind === 'absent') return null;
  return {
    paymentId: state.paymentId,
    organizationId: state.organizationId,
    userId: state.userId,
    amount: formatStoredAmount(state.amountMinor, state.currency),
    currency: state.currency,
    status: state.status,
    description: state.description,
    refundedAmount: formatStoredAmount(state.refundedMinor, state.currency),
    metadata: { ...state.metadata },
    invoiceId: state.invoiceId,
    failureReason: state.failureReason,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    version: state.version,
    deleted: state.kind === 'deleted',
  };
}
