import type { Metadata, PaymentStatus } from '@gyroscops/domain';
import { defineWorkflow } from './workflow-definition';

/** Who asked, and the ids that tie every event of a request together. */
export interface CommandContext {
  commandId: string;
  correlationId: string;
  /** The id of what caused this command: the HTTP request id. */
  causationId: string;
  userId: string;
  /** Organizations the caller may act on; undefined = no restriction (no auth configured). */
  allowedOrganizations?: string[];
}

export type PaymentCommandRequest =
  | {
      kind: 'create';
      context: CommandContext;
      payment: {
        paymentId: string;
        organizationId: string;
        amount: string;
        currency: string;
        description?: string | null;
        metadata?: Metadata;
        /** Set when the payment pays an invoice (started by the invoice's payment process, never by a client). */
        invoiceId?: string;
      };
    }
  | {
      kind: 'update';
      context: CommandContext;
      paymentId: string;
      /** From If-Match: the stream version the caller last saw. */
      expectedVersion?: number;
      changes: { amount?: string; description?: string | null; metadata?: Metadata };
    }
  | {
      kind: 'refund';
      context: CommandContext;
      paymentId: string;
      expectedVersion?: number;
      refund: { refundId: string; amount: string; reason?: string | null };
    }
  | { kind: 'delete'; context: CommandContext; paymentId: string; expectedVersion?: number };

export type PaymentCommandKind = PaymentCommandRequest['kind'];

/** A command's success: the stream version after it and the global position of its last event. */
export interface PaymentCommandResult {
  commandId: string;
  paymentId: string;
  status: PaymentStatus | 'deleted';
  version: number;
  /** Global event position, a decimal string (int8 does not fit a JSON number). */
  position: string;
}

/** ApplicationFailure types a command workflow fails with when the command is refused. */
export const COMMAND_REJECTIONS = ['VALIDATION', 'NOT_FOUND', 'CONFLICT', 'PRECONDITION_FAILED'] as const;
export type CommandRejectionCode = (typeof COMMAND_REJECTIONS)[number];
/**
 * ApplicationFailure types a command workflow fails with when it gave up on a transient condition:
 * the request may be repeated as it is (503 with Retry-After), so it is never an Idempotency-Key's
 * final answer. CONFLICT_RETRYABLE: the stream kept moving under the command (lost optimistic races).
 */
export const RETRYABLE_COMMAND_FAILURES = ['CONFLICT_RETRYABLE'] as const;
export type RetryableCommandFailureCode = (typeof RETRYABLE_COMMAND_FAILURES)[number];
export interface CommandRejectionDetails {
  errors: { path: string; message: string }[];
}

/**
 * One command, decided and recorded. Fails with a non-retryable ApplicationFailure whose type is a
 * CommandRejectionCode when the command is refused.
 */
export type PaymentCommandWorkflow = (request: PaymentCommandRequest) => Promise<PaymentCommandResult>;
export const PAYMENT_COMMAND_WORKFLOW = defineWorkflow<PaymentCommandWorkflow>()('paymentCommandWorkflow');

/** One workflow execution per command: an idempotent retry attaches to the same execution. */
export const commandWorkflowId = (commandId: string) => `payment-command-${commandId}`;

/** The stream of one payment in the event store. */
export const paymentStreamId = (paymentId: string) => `payment-${paymentId}`;
export const PAYMENT_STREAM_TYPE = 'payment';
