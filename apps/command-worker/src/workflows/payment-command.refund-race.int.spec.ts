/**
 * The refund race: other commands land on the payment while its refund is in flight at the gateway.
 * A description change must not make the refund command lose the gateway's answer (it is recorded
 * after reloading the stream); a second refund may only take what the first has not promised; a
 * deletion is refused until the gateway has answered. Real Temporal, real Postgres; the gateway call
 * is held open until the other commands are done.
 */
import { randomUUID } from 'node:crypto';
import { paymentStreamId, type PaymentCommandRequest, type PaymentCommandResult } from '@gyroscops/contracts';
import { readStream } from '@gyroscops/event-store';
import { simulatedRefundsOf } from '@gyroscops/payment-gateway';
import {
  commandContext,
  rejectionTypeOf,
  startCommandWorkerHarness,
  type CommandWorkerHarness,
} from '../test-support/command-worker-harness';

let harness: CommandWorkerHarness;

/** Each refund waits here until the test lets it answer. */
let heldRefunds: { started: () => void; release: Promise<void> } | undefined;

beforeAll(async () => {
  harness = await startCommandWorkerHarness('refund-race', (real) => ({
    async refundPayment(request) {
      const hold = heldRefunds;
      if (hold) {
        hold.started();
        await hold.release;
      }
      return real.refundPayment(request);
    },
  }));
}, 180_000);

afterAll(async () => {
  await harness?.stop();
});

const contextOf = () => commandContext('user-race');
const run = (request: PaymentCommandRequest) => harness.start(request);
const rejectionOf = rejectionTypeOf;

it('commands that land while a refund is in flight neither lose its answer nor refund more than the payment', async () => {
  const paymentId = randomUUID();
  const created = await (
    await run({
      kind: 'create',
      context: contextOf(),
      payment: { paymentId, organizationId: 'org-race', amount: '50.00', currency: 'EUR' },
    })
  ).result();
  expect(created).toMatchObject({ status: 'processed', version: 2 });

  let refundStarted!: () => void;
  const started = new Promise<void>((resolve) => (refundStarted = resolve));
  let releaseRefund!: () => void;
  heldRefunds = { started: refundStarted, release: new Promise<void>((resolve) => (releaseRefund = resolve)) };
  const refundContext = contextOf();
  const refunding = await run({
    kind: 'refund',
    context: refundContext,
    paymentId,
    refund: { refundId: refundContext.commandId, amount: '30.00', reason: null },
  });
  await started;
  heldRefunds = undefined;

  // While the gateway holds the refund: the rest (20.00) may be refunded, no more; nothing is deleted.
  const renamed = await (
    await run({ kind: 'update', context: contextOf(), paymentId, changes: { description: 'renamed mid-refund' } })
  ).result();
  expect(renamed).toMatchObject({ status: 'processed', version: 4 });
  const tooMuchContext = contextOf();
  const tooMuch = await run({
    kind: 'refund',
    context: tooMuchContext,
    paymentId,
    refund: { refundId: tooMuchContext.commandId, amount: '20.01', reason: null },
  });
  expect(await rejectionOf(tooMuch.result())).toBe('CONFLICT');
  const deleted = await run({ kind: 'delete', context: contextOf(), paymentId });
  expect(await rejectionOf(deleted.result())).toBe('CONFLICT');

  releaseRefund();
  const refunded: PaymentCommandResult = await refunding.result();

  expect(refunded).toMatchObject({ paymentId, status: 'partially_refunded', version: 5 });
  const stream = await readStream(harness.eventStore, paymentStreamId(paymentId));
  expect(stream.map((event) => event.type)).toEqual([
    'PaymentInitiated',
    'PaymentProcessed',
    'RefundRequested',
    'PaymentUpdated',
    'PaymentRefunded',
  ]);
  expect(stream[4]!.data).toMatchObject({ refundId: refundContext.commandId, amount: '30.00', refundedTotal: '30.00' });
  const refunds = await simulatedRefundsOf(harness.gatewayDb, paymentId);
  expect(refunds).toMatchObject([{ refund_id: refundContext.commandId, refunds: 1, attempts: 1 }]);
}, 120_000);
