import type { CommandContext } from '@gyroscops/contracts';
import type { PaymentEvent } from '@gyroscops/domain';

/** A payment stream as the workflow needs it: its events, version and last global position. */
export interface LoadedPaymentStream {
  events: PaymentEvent[];
  version: number;
  /** Decimal string; '0' for a stream with no events. */
  lastPosition: string;
}

export interface AppendPaymentEventsInput {
  paymentId: string;
  organizationId: string;
  /** The stream version the events were decided against; 0 = the stream must not exist yet. */
  expectedVersion: number;
  events: PaymentEvent[];
  context: CommandContext;
}

/** A version conflict is an expected answer, not a failure: the workflow decides what to do with it. */
export type AppendPaymentEventsOutcome =
  { appended: true; version: number; position: string } | { appended: false; actualVersion: number };
