/**
 * A command workflow started by a client other than the command-api (which canonicalizes ids at its
 * edge) with ids in upper case: the workflow spells them canonically itself, so the payment's stream,
 * its events' data and the result all carry the lower-case id, and a later command naming the id in
 * another spelling reaches the same payment. Real Temporal, real Postgres.
 */
import { randomUUID } from 'node:crypto';
import { paymentStreamId, type PaymentCommandRequest } from '@gyroscops/contracts';
import {
  commandContext,
  startCommandWorkerHarness,
  type CommandWorkerHarness,
} from '../test-support/command-worker-harness';

let harness: CommandWorkerHarness;

beforeAll(async () => {
  harness = await startCommandWorkerHarness('canonical-input');
}, 180_000);

afterAll(async () => {
  await harness?.stop();
});

/** A UUID with letters in known places, so its upper-case spelling surely differs. */
const lettered = () => `abcd${randomUUID().slice(4)}`;

const contextOf = () => ({ ...commandContext('user-canonical'), commandId: randomUUID().toUpperCase() });

const run = async (request: PaymentCommandRequest) => (await harness.start(request)).result();

it('spells the ids of a command started with upper-case ids canonically in the stream, the events and the result', async () => {
  const paymentId = lettered();

  const created = await run({
    kind: 'create',
    context: contextOf(),
    payment: { paymentId: paymentId.toUpperCase(), organizationId: 'org-canonical', amount: '20.00', currency: 'EUR' },
  });
  expect(created).toMatchObject({ paymentId, status: 'processed', version: 2 });
  const updated = await run({
    kind: 'update',
    context: contextOf(),
    paymentId: `urn:uuid:${paymentId.toUpperCase()}`,
    changes: { description: 'same payment' },
  });
  expect(updated).toMatchObject({ paymentId, version: 3 });

  const streams = await harness.eventStore.selectFrom('streams').select('stream_id').execute();
  expect(streams.map((stream) => stream.stream_id)).toEqual([paymentStreamId(paymentId)]);
  const events = await harness.eventStore
    .selectFrom('events')
    .select(['stream_id', 'data', 'metadata'])
    .orderBy('position')
    .execute();
  expect(events).toHaveLength(3);
  for (const event of events) {
    expect(event.stream_id).toBe(paymentStreamId(paymentId));
    expect(event.data).toMatchObject({ paymentId });
    expect(JSON.stringify(event.data)).not.toContain(paymentId.toUpperCase());
  }
  // The workflow id stays as its starter spelled it (it names the execution); the ids the events carry do not.
  for (const { metadata } of events) expect(metadata.commandId).toBe(String(metadata.commandId).toLowerCase());
});
