import { DomainError } from '../errors';
import type { PaymentCommand } from './commands';
import { decide } from './decide';
import { initialPaymentState, type PaymentStatus } from './payment';
import {
  approveCharge,
  createPayment,
  declineCharge,
  deletePayment,
  deleted,
  failed,
  initiated,
  NOW,
  ORG_ID,
  PAYMENT_ID,
  processed,
  refunded,
  refundPayment,
  updatePayment,
  USER_ID,
  T1,
} from './test-support/fixtures';
import { given, paths } from './test-support/given';

/** Histories that leave the payment in each live status. */
const inStatus: Record<PaymentStatus, Parameters<typeof given>> = {
  pending: [initiated()],
  processed: [initiated(), processed()],
  failed: [initiated(), failed()],
  partially_refunded: [initiated(), processed(), refunded('30.00', '30.00')],
  refunded: [initiated(), processed(), refunded('100.00', '100.00')],
};
const statuses = Object.keys(inStatus) as PaymentStatus[];

describe('CreatePayment', () => {
  it('initiates a payment with the canonical amount, null description and empty metadata by default', () => {
    const state = given()
      .when(createPayment({ amount: '100' }))
      .then({
        type: 'PaymentInitiated',
        data: {
          paymentId: PAYMENT_ID,
          organizationId: ORG_ID,
          userId: USER_ID,
          amount: '100.00',
          currency: 'EUR',
          description: null,
          metadata: {},
          occurredAt: NOW,
        },
      });
    expect(state).toMatchObject({
      kind: 'live',
      version: 1,
      status: 'pending',
      amountMinor: 10000n,
      createdAt: NOW,
      updatedAt: NOW,
    });
  });

  it.each([
    ['007.5', 'EUR', '7.50'],
    ['0.01', 'EUR', '0.01'],
    ['1500', 'JPY', '1500'],
    ['0.005', 'BHD', '0.005'],
    ['12.3', 'KWD', '12.300'],
    ['1.2345', 'CLF', '1.2345'],
  ])('stores %s %s as %s', (amount, currency, canonical) => {
    given()
      .when(createPayment({ amount, currency }))
      .then(initiated({ amount: canonical, currency, occurredAt: NOW }));
  });

  it('keeps the description and metadata it is given', () => {
    given()
      .when(createPayment({ description: 'Order #42', metadata: { order: '42', simulate: 'decline' } }))
      .then(initiated({ description: 'Order #42', metadata: { order: '42', simulate: 'decline' }, occurredAt: NOW }));
  });

  it('conflicts when the payment already exists', () => {
    given(initiated()).when(createPayment()).thenFails('CONFLICT', `payment ${PAYMENT_ID} already exists`);
  });

  it('conflicts when the payment existed and was deleted: ids are never reused', () => {
    given(initiated(), deleted())
      .when(createPayment())
      .thenFails('CONFLICT', /already exists/);
  });

  it.each([
    [{ currency: 'XYZ' }, '/currency'],
    [{ currency: 'eur' }, '/currency'],
    [{ amount: '0' }, '/amount'],
    [{ amount: '-5' }, '/amount'],
    [{ amount: '1.234' }, '/amount'],
    [{ amount: '10.5', currency: 'JPY' }, '/amount'],
    [{ amount: '1e3' }, '/amount'],
    [{ amount: '1000000000000' }, '/amount'],
    [{ paymentId: '' }, '/paymentId'],
    [{ organizationId: '' }, '/organizationId'],
    [{ userId: '' }, '/userId'],
    [{ description: 'x'.repeat(501) }, '/description'],
    [{ metadata: { k: 'v'.repeat(501) } }, '/metadata/k'],
    [{ metadata: { ['k'.repeat(101)]: 'v' } }, `/metadata/${'k'.repeat(101)}`],
    [{ metadata: { 'a/b~c': 1 as unknown as string } }, '/metadata/a~1b~0c'],
    [{ metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }, '/metadata'],
  ])('rejects %j as invalid at %s', (over, path) => {
    const error = given().when(createPayment(over)).thenFails('VALIDATION');
    expect(paths(error)).toEqual([path]);
  });

  it('accepts the limits themselves: 500-character description, 20 metadata entries of 500 characters', () => {
    const metadata = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'v'.repeat(500)]));
    const description = '€'.repeat(500);
    given()
      .when(createPayment({ description, metadata }))
      .then(initiated({ description, metadata, occurredAt: NOW }));
  });

  it('counts characters, not UTF-16 units: 500 emoji are a valid description', () => {
    const description = '😀'.repeat(500);
    given()
      .when(createPayment({ description }))
      .then(initiated({ description, occurredAt: NOW }));
  });

  it('keeps a metadata key named __proto__ as plain data, as JSON.parse produces it', () => {
    const metadata = JSON.parse('{"__proto__":"x","a":"1"}') as Record<string, string>;
    const state = given()
      .when(createPayment({ metadata }))
      .then(initiated({ metadata, occurredAt: NOW }));
    expect(state.kind !== 'absent' && Object.keys(state.metadata)).toEqual(['__proto__', 'a']);
    given(initiated({ metadata }))
      .when(updatePayment({ metadata: JSON.parse('{"a":"1","__proto__":"x"}') as Record<string, string> }))
      .then();
  });

  it('reports every invalid field at once', () => {
    const error = given()
      .when(createPayment({ amount: '1.234', description: 'x'.repeat(501), metadata: { a: 'v'.repeat(501) } }))
      .thenFails('VALIDATION');
    expect(paths(error)).toEqual(['/amount', '/description', '/metadata/a']);
    expect(error.errors[0]?.message).toBe('EUR amounts take at most 2 decimals');
  });

  it('judges the input before the state: an invalid create on an existing payment is a VALIDATION error', () => {
    given(initiated())
      .when(createPayment({ amount: '0' }))
      .thenFails('VALIDATION');
  });
});

describe('RecordChargeResult', () => {
  it('processes a pending payment when the charge is approved', () => {
    const state = given(initiated())
      .when(approveCharge('gw_9', PAYMENT_ID))
      .then(processed({ gatewayReference: 'gw_9', occurredAt: NOW }));
    expect(state).toMatchObject({
      status: 'processed',
      gatewayReference: 'gw_9',
      failureReason: null,
      updatedAt: NOW,
      version: 2,
    });
  });

  it('fails a pending payment when the charge is declined, keeping the reason', () => {
    const state = given(initiated())
      .when(declineCharge('insufficient_funds'))
      .then(failed({ reason: 'insufficient_funds', occurredAt: NOW }));
    expect(state).toMatchObject({ status: 'failed', failureReason: 'insufficient_funds', gatewayReference: null });
  });

  it('is not found for a payment that does not exist', () => {
    given().when(approveCharge()).thenFails('NOT_FOUND', `payment ${PAYMENT_ID} not found`);
  });

  it('conflicts for a deleted payment', () => {
    given(initiated(), deleted())
      .when(approveCharge())
      .thenFails('CONFLICT', /deleted/);
  });

  it.each(statuses.filter((s) => s !== 'pending'))(
    'conflicts when the payment is %s: a charge is recorded once',
    (status) => {
      given(...inStatus[status])
        .when(approveCharge())
        .thenFails('CONFLICT', new RegExp(`is ${status}`));
      given(...inStatus[status])
        .when(declineCharge())
        .thenFails('CONFLICT');
    },
  );

  it('rejects an empty gateway reference or decline reason', () => {
    expect(paths(given(initiated()).when(approveCharge('')).thenFails('VALIDATION'))).toEqual(['/gatewayReference']);
    expect(paths(given(initiated()).when(declineCharge('')).thenFails('VALIDATION'))).toEqual(['/reason']);
  });

  it('rejects an unknown outcome', () => {
    const command = {
      type: 'RecordChargeResult',
      data: { paymentId: PAYMENT_ID, outcome: 'maybe' },
    } as unknown as PaymentCommand;
    expect(paths(given(initiated()).when(command).thenFails('VALIDATION'))).toEqual(['/outcome']);
  });
});

describe('DeletePayment', () => {
  it.each(statuses.filter((s) => s !== 'pending'))('deletes a %s payment', (status) => {
    const state = given(...inStatus[status])
      .when(deletePayment({ reason: 'duplicate' }))
      .then({
        type: 'PaymentDeleted',
        data: { paymentId: PAYMENT_ID, reason: 'duplicate', occurredAt: NOW },
      });
    expect(state).toMatchObject({ kind: 'deleted', status, deletedAt: NOW, updatedAt: NOW });
  });

  it('defaults the reason to null', () => {
    given(initiated(), processed())
      .when(deletePayment())
      .then(deleted({ occurredAt: NOW }));
  });

  it('conflicts while the payment is pending: its charge is in flight, and its outcome must have a payment to be recorded on', () => {
    given(initiated())
      .when(deletePayment())
      .thenFails('CONFLICT', /being charged/);
  });

  it('is not found for a payment that does not exist or is already deleted', () => {
    given().when(deletePayment()).thenFails('NOT_FOUND');
    given(initiated(), deleted()).when(deletePayment()).thenFails('NOT_FOUND');
  });

  it('rejects a reason over 500 characters', () => {
    expect(
      paths(
        given(initiated(), processed())
          .when(deletePayment({ reason: 'x'.repeat(501) }))
          .thenFails('VALIDATION'),
      ),
    ).toEqual(['/reason']);
  });
});

describe('after PaymentDeleted', () => {
  const history = [initiated(), processed(), deleted()];
  it.each<[string, PaymentCommand, string]>([
    ['CreatePayment', createPayment(), 'CONFLICT'],
    ['RecordChargeResult', approveCharge(), 'CONFLICT'],
    ['UpdatePayment', updatePayment({ description: 'x' }), 'NOT_FOUND'],
    ['RefundPayment', refundPayment('1.00'), 'NOT_FOUND'],
    ['DeletePayment', deletePayment(), 'NOT_FOUND'],
  ])('%s is refused', (_name, command, code) => {
    given(...history)
      .when(command)
      .thenFails(code as 'CONFLICT' | 'NOT_FOUND');
  });
});

describe('decide as a function', () => {
  it('returns the error instead of throwing, also for a malformed command', () => {
    const result = decide(initialPaymentState, { type: 'CreatePayment' } as unknown as PaymentCommand, NOW);
    expect(result).toBeInstanceOf(DomainError);
    expect(decide(initialPaymentState, { type: 'Nope', data: {} } as unknown as PaymentCommand, NOW)).toMatchObject({
      code: 'VALIDATION',
    });
  });

  it('takes the time from its argument', () => {
    given()
      .when(createPayment(), T1)
      .then(initiated({ occurredAt: T1 }));
  });

  it('rejects a command for another payment than the loaded stream', () => {
    const error = given(initiated())
      .when(updatePayment({ description: 'x' }, 'other-id'))
      .thenFails('VALIDATION');
    expect(paths(error)).toEqual(['/paymentId']);
    expect(paths(given(initiated()).when(approveCharge('gw', 'other-id')).thenFails('VALIDATION'))).toEqual([
      '/paymentId',
    ]);
  });
});
