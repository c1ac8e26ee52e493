import { canonicalUuid, paymentStreamId } from '@gyroscops/contracts';
import { readStream, type EventStoreDb } from '@gyroscops/event-store';

/** The organization a payment belongs to, or undefined when no such payment exists. */
export type PaymentOrganizationLookup = (paymentId: string) => Promise<string | undefined>;

/**
 * Reads the payment's first event: the organization never changes after creation. The command side
 * reads its own event store, never the read models.
 */
export function createPaymentOrganizationLookup(eventStore: EventStoreDb): PaymentOrganizationLookup {
  return async (paymentId) => {
    const [first] = await readStream(eventStore, paymentStreamId(canonicalUuid(paymentId)), { toVersion: 1 });
    const organizationId = first?.data.organizationId;
    return typeof organizationId === 'string' ? organizationId : undefined;
  };
}
