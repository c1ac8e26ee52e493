import { randomUUID } from 'node:crypto';
import { PAYMENT_STREAM_TYPE, paymentStreamId } from '@gyroscops/contracts';
import { decide, foldPayment, isDomainError, type PaymentEvent } from '@gyroscops/domain';
import { appendToStream, type EventStoreDb } from '@gyroscops/event-store';

/** One payment's events, decided by the domain: created, then processed (or failed one time in ten). */
function paymentEvents(
  index: number,
  organizationId: string,
  now: string,
): { paymentId: string; events: PaymentEvent[] } {
  const paymentId = randomUUID();
  const created = decide(
    foldPayment([]),
    {
      type: 'CreatePayment',
      data: {
        paymentId,
        organizationId,
        userId: 'seed',
        amount: `${(index % 997) + 1}.${String(index % 100).padStart(2, '0')}`,
        currency: index % 5 === 0 ? 'USD' : 'EUR',
      },
    },
    now,
  );
  if (isDomainError(created)) throw created;
  const outcome =
    index % 10 === 0
      ? { outcome: 'declined' as const, reason: 'card_declined' }
      : { outcome: 'approved' as const, gatewayReference: `seed_${index}` };
  const settled = decide(foldPayment(created), { type: 'RecordChargeResult', data: { paymentId, ...outcome } }, now);
  if (isDomainError(settled)) throw settled;
  return { paymentId, events: [...created, ...settled] };
}

/**
 * Appends `events` events (two per payment) through the event store's own append, with `writers`
 * concurrent writers: data for benchmarks and rebuild measurements.
 */
export async function seedPayments(
  eventStore: EventStoreDb,
  options: { events: number; writers?: number; organizations?: number },
): Promise<number> {
  const payments = Math.ceil(options.events / 2);
  const organizations = options.organizations ?? 20;
  const now = new Date().toISOString();
  let next = 0;
  const writer = async () => {
    for (let index = next++; index < payments; index = next++) {
      const { paymentId, events } = paymentEvents(index, `org-seed-${index % organizations}`, now);
      await appendToStream(eventStore, {
        streamId: paymentStreamId(paymentId),
        streamType: PAYMENT_STREAM_TYPE,
        expectedVersion: 'no_stream',
        events: events.map((event) => ({
          eventId: randomUUID(),
          type: event.type,
          data: event.data as unknown as Record<string, unknown>,
          metadata: { organizationId: `org-seed-${index % organizations}`, seeded: true },
        })),
      });
    }
  };
  await Promise.all(Array.from({ length: options.writers ?? 8 }, writer));
  return payments * 2;
}
