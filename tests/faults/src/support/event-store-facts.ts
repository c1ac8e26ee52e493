import { sql } from 'kysely';
import { paymentStreamId } from '@gyroscops/contracts';
import { readStream, type EventStoreDb } from '@gyroscops/event-store';
import { simulatedChargesOf, type SimulatedGatewayTables } from '@gyroscops/payment-gateway';
import type { Kysely } from 'kysely';

/** The event types of a payment's stream, in order. */
export async function eventTypesOf(eventStore: EventStoreDb, paymentId: string): Promise<string[]> {
  return (await readStream(eventStore, paymentStreamId(paymentId))).map((event) => event.type);
}

/** Every event in the store, all streams. */
export async function countAllEvents(eventStore: EventStoreDb): Promise<number> {
  const { rows } = await sql<{ count: string }>`SELECT count(*) AS count FROM events`.execute(eventStore);
  return Number(rows[0]?.count ?? 0);
}

/** Events per payment stream: `payment-<id>` → count. */
export async function eventCountsPerPayment(eventStore: EventStoreDb): Promise<Map<string, string[]>> {
  const rows = await eventStore
    .selectFrom('events')
    .select(['stream_id', 'type'])
    .where('stream_type', '=', 'payment')
    .orderBy('position')
    .execute();
  const streams = new Map<string, string[]>();
  for (const row of rows) streams.set(row.stream_id, [...(streams.get(row.stream_id) ?? []), row.type]);
  return streams;
}

/** What the simulated gateway's ledger holds for a payment: one row per idempotency key. */
export function gatewayChargesOf(gatewayDb: Kysely<SimulatedGatewayTables>, paymentId: string) {
  return simulatedChargesOf(gatewayDb, paymentId);
}

/** Every ledger row: how many times money moved per payment. */
export async function allGatewayCharges(gatewayDb: Kysely<SimulatedGatewayTables>) {
  return gatewayDb.selectFrom('simulated_gateway_charges').selectAll().execute();
}
