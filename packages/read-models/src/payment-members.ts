import {
  evolve,
  initialPaymentState,
  isPaymentEvent,
  type ExistingPaymentState,
  type PaymentState,
} from '@gyroscops/domain';
import type { RecordedEvent } from '@gyroscops/event-store';

/*
 * The payment states that figures per bucket are kept from (payment_statistics_members,
 * payment_analytics_members): each payment folded with the domain's evolve, so a change of state
 * moves it out of one bucket and into another.
 */

/** Stored form of a member's state: JSON has no bigint. */
export function paymentMemberToJson(state: ExistingPaymentState): string {
  return JSON.stringify({
    ...state,
    amountMinor: state.amountMinor.toString(),
    refundedMinor: state.refundedMinor.toString(),
  });
}

export function paymentMemberFromJson(json: Record<string, unknown>): ExistingPaymentState {
  return {
    ...(json as unknown as ExistingPaymentState),
    amountMinor: BigInt(json.amountMinor as string),
    refundedMinor: BigInt(json.refundedMinor as string),
    // States stored before refunds went through the gateway have no refunds in flight.
    refundsInFlight: (json.refundsInFlight as ExistingPaymentState['refundsInFlight'] | undefined) ?? {},
    requestedRefundIds: (json.requestedRefundIds as string[] | undefined) ?? [],
  };
}

/** What a batch changes in a members table, and the organizations whose figures moved. */
export interface FoldedPaymentMembers {
  upserts: { payment_id: string; state: string; version: number }[];
  removals: string[];
  organizationIds: Set<string>;
}

/**
 * Folds each payment's new events onto its known state (an event at or below the state's version
 * was folded before and is skipped), calling `move(before, -1n)` and `move(after, 1n)` for every
 * payment whose state changed, and answers the members' rows to write.
 */
export function foldPaymentMembers(
  byPayment: ReadonlyMap<string, readonly RecordedEvent[]>,
  known: ReadonlyMap<string, PaymentState>,
  move: (state: PaymentState, sign: 1n | -1n) => void,
): FoldedPaymentMembers {
  const folded: FoldedPaymentMembers = { upserts: [], removals: [], organizationIds: new Set() };
  for (const [paymentId, streamEvents] of byPayment) {
    const before = known.get(paymentId) ?? initialPaymentState;
    let after = before;
    for (const event of streamEvents) {
      const domainEvent = { type: event.type, data: event.data };
      if (event.streamVersion <= after.version || !isPaymentEvent(domainEvent)) continue;
      after = evolve(after, domainEvent);
    }
    if (after === before) continue;
    move(before, -1n);
    move(after, 1n);
    if (after.kind === 'live') {
      folded.upserts.push({ payment_id: paymentId, state: paymentMemberToJson(after), version: after.version });
      folded.organizationIds.add(after.organizationId);
    } else if (after.kind === 'deleted') {
      folded.removals.push(paymentId);
      folded.organizationIds.add(after.organizationId);
    }
  }
  return folded;
}
