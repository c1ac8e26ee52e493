import {
  evolve,
  foldPayment,
  initialPaymentState,
  isPaymentEvent,
  PAYMENT_EVENT_SCHEMA_VERSION,
  PAYMENT_EVENT_TYPES,
  type PaymentEvent,
} from './payment';
import { deleted, failed, initiated, processed, refunded, T0, T1, T2, T3, updated } from './test-support/fixtures';

describe('evolve', () => {
  it('starts absent at version 0', () => {
    expect(initialPaymentState).toEqual({ kind: 'absent', version: 0 });
    expect(foldPayment([])).toEqual(initialPaymentState);
  });

  it('builds a pending payment from PaymentInitiated', () => {
    expect(foldPayment([initiated({ description: 'd', metadata: { a: '1' } })])).toEqual({
      kind: 'live',
      version: 1,
      paymentId: initiated().data.paymentId,
      organizationId: expect.any(String),
      userId: expect.any(String),
      amountMinor: 10000n,
      currency: 'EUR',
      description: 'd',
      metadata: { a: '1' },
      invoiceId: null,
      status: 'pending',
      refundedMinor: 0n,
      refundsInFlight: {},
      requestedRefundIds: [],
      failureReason: null,
      gatewayReference: null,
      createdAt: T0,
      updatedAt: T0,
      deletedAt: null,
    });
  });

  it('counts one version per event and takes updatedAt from each event, createdAt from the first', () => {
    const state = foldPayment([initiated(), processed(), refunded('10.00', '10.00'), deleted()]);
    expect(state).toMatchObject({
      kind: 'deleted',
      version: 4,
      createdAt: T0,
      updatedAt: T3,
      deletedAt: T3,
      status: 'partially_refunded',
      refundedMinor: 1000n,
    });
  });

  it('walks processed -> partially_refunded -> refunded', () => {
    const history = [
      initiated(),
      processed({ occurredAt: T1 }),
      refunded('40.00', '40.00'),
      refunded('60.00', '100.00'),
    ];
    expect(foldPayment(history.slice(0, 2))).toMatchObject({
      status: 'processed',
      gatewayReference: 'gw_123',
      updatedAt: T1,
    });
    expect(foldPayment(history.slice(0, 3))).toMatchObject({ status: 'partially_refunded', refundedMinor: 4000n });
    expect(foldPayment(history)).toMatchObject({ status: 'refunded', refundedMinor: 10000n });
  });

  it('records a failure reason', () => {
    expect(foldPayment([initiated(), failed({ reason: 'expired_card' })])).toMatchObject({
      status: 'failed',
      failureReason: 'expired_card',
    });
  });

  it('applies only the changes an update carries', () => {
    const state = foldPayment([
      initiated({ description: 'keep', metadata: { a: '1' } }),
      updated({ amount: '80.00' }, T2),
    ]);
    expect(state).toMatchObject({
      amountMinor: 8000n,
      description: 'keep',
      metadata: { a: '1' },
      updatedAt: T2,
      version: 2,
    });
    expect(evolve(state, updated({ description: null, metadata: {} }))).toMatchObject({
      amountMinor: 8000n,
      description: null,
      metadata: {},
    });
  });

  it('does not share the metadata object with the event', () => {
    const event = initiated({ metadata: { a: '1' } });
    const state = foldPayment([event]);
    (event.data as { metadata: Record<string, string> }).metadata.a = 'changed';
    expect(state.kind !== 'absent' && state.metadata).toEqual({ a: '1' });
  });

  it('never throws on facts that do not fit, and still counts them', () => {
    const afterDelete = foldPayment([
      initiated(),
      deleted(),
      processed(),
      refunded('5.00', '5.00'),
      updated({ description: 'x' }),
    ]);
    expect(afterDelete).toMatchObject({
      kind: 'deleted',
      version: 5,
      status: 'pending',
      refundedMinor: 0n,
      description: null,
      updatedAt: T3,
    });
    const twice = foldPayment([initiated(), initiated({ amount: '5.00', occurredAt: T2 })]);
    expect(twice).toMatchObject({ version: 2, amountMinor: 10000n, createdAt: T0, updatedAt: T0 });
    const odd = foldPayment([initiated({ amount: 'not money' }), refunded('1.00', '1.00')]);
    expect(odd).toMatchObject({ amountMinor: 0n, refundedMinor: 100n, status: 'refunded', version: 2 });
  });

  it('cannot count an event before PaymentInitiated: the absent state has no version', () => {
    expect(foldPayment([processed()])).toEqual(initialPaymentState);
  });

  it('does not mutate the state it is given', () => {
    const state = Object.freeze(foldPayment([initiated()]));
    expect(() => evolve(state, processed())).not.toThrow();
    expect(state).toMatchObject({ status: 'pending', version: 1 });
  });
});

describe('event catalogue', () => {
  it('lists every event type once, at schema version 1', () => {
    expect(PAYMENT_EVENT_TYPES).toEqual([
      'PaymentInitiated',
      'PaymentProcessed',
      'PaymentFailed',
      'PaymentUpdated',
      'RefundRequested',
      'PaymentRefunded',
      'RefundDeclined',
      'PaymentDeleted',
    ]);
    expect(PAYMENT_EVENT_SCHEMA_VERSION).toBe(1);
  });

  it('recognises payment events by type name', () => {
    for (const type of PAYMENT_EVENT_TYPES) expect(isPaymentEvent({ type, data: {} })).toBe(true);
    expect(isPaymentEvent({ type: 'OrderPlaced', data: {} })).toBe(false);
    expect(isPaymentEvent({ type: 'toString', data: {} })).toBe(false);
  });

  it('keeps events plain JSON', () => {
    const events: PaymentEvent[] = [
      initiated(),
      processed(),
      failed(),
      updated({ amount: '1.00' }),
      refunded('1.00', '1.00'),
      deleted(),
    ];
    expect(JSON.parse(JSON.stringify(events))).toEqual(events);
  });
});
