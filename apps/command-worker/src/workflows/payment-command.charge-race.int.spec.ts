/**
 * The create-payment race: another command lands on the payment while its charge is in flight.
 * A description change must not make the create command lose the charge's outcome (it used to end
 * in CONFLICT after the money had moved); an amount change and a deletion are refused while the
 * charge is in flight (a deleted payment would leave the gateway's answer nowhere to be recorded).
 * Real Temporal, real Postgres; the gateway call is held open until the other commands are done.
 */
import { randomUUID } from 'node:crypto';
import { paymentStreamId, type PaymentCommandRequest, type PaymentCommandResult } from '@gyroscops/contracts';
import { readStream } from '@gyroscops/event-store';
import { simulatedChargesOf } from '@gyroscops/payment-gateway';
import {
  commandContext,
  rejectionTypeOf,
  startCommandWorkerHarness,
  type CommandWorkerHarness,
} from '../test-support/command-worker-harness';

let harness: CommandWorkerHarness;

/** Each charge waits here until the test lets it answer. */
let heldCharges: { started: () => void; release: Promise<void> } | undefined;

beforeAll(async () => {
  harness = await startCommandWorkerHarness('charge-race', (real) => ({
    async chargePayment(request) {
      const hold = heldCharges;
      if (hold) {
        hold.started();
        await hold.release;
      }
      return real.chargePayment(request);
    },
  }));
}, 180_000);

afterAll(async () => {
  await harness?.stop();
});

const contextOf = () => commandContext('user-race');
const run = (request: PaymentCommandRequest) => harness.start(request);
const rejectionOf = rejectionTypeOf;

it('an update that lands while the payment is being charged does not lose the charge; an amount change and a deletion are refused', async () => {
  let chargeStarted!: () => void;
  const started = new Promise<void>((resolve) => (chargeStarted = resolve));
  let releaseCharge!: () => void;
  heldCharges = { started: chargeStarted, release: new Promise<void>((resolve) => (releaseCharge = resolve)) };
  const paymentId = randomUUID();

  const creation = await run({
    kind: 'create',
    context: contextOf(),
    payment: { paymentId, organizationId: 'org-race', amount: '42.00', currency: 'EUR' },
  });
  await started;
  heldCharges = undefined;

  // While the gateway holds the charge: a description change goes through, an amount change does not.
  const renamed = await (
    await run({ kind: 'update', context: contextOf(), paymentId, changes: { description: 'renamed mid-charge' } })
  ).result();
  expect(renamed).toMatchObject({ paymentId, status: 'pending', version: 2 });
  const resized = await run({ kind: 'update', context: contextOf(), paymentId, changes: { amount: '43.00' } });
  expect(await rejectionOf(resized.result())).toBe('CONFLICT');
  const deleted = await run({ kind: 'delete', context: contextOf(), paymentId });
  expect(await rejectionOf(deleted.result())).toBe('CONFLICT');

  releaseCharge();
  const created: PaymentCommandResult = await creation.result();

  expect(created).toMatchObject({ paymentId, status: 'processed', version: 3 });
  const stream = await readStream(harness.eventStore, paymentStreamId(paymentId));
  expect(stream.map((event) => event.type)).toEqual(['PaymentInitiated', 'PaymentUpdated', 'PaymentProcessed']);
  expect(stream[1]!.data).toMatchObject({ changes: { description: 'renamed mid-charge' } });
  expect(created.position).toBe(stream[2]!.position.toString());
  const charges = await simulatedChargesOf(harness.gatewayDb, paymentId);
  expect(charges).toHaveLength(1);
}, 120_000);
