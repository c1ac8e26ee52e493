import {
  approveCharge,
  deleted,
  failed,
  initiated,
  NOW,
  PAYMENT_ID,
  processed,
  refunded,
  updated,
  updatePayment,
} from './test-support/fixtures';
import { given, paths } from './test-support/given';

describe('UpdatePayment', () => {
  it('refuses an amount change while the charge is in flight (a pending payment is being charged)', () => {
    given(initiated())
      .when(updatePayment({ amount: '250.5' }))
      .thenFails('CONFLICT', `the amount of payment ${PAYMENT_ID} cannot change while its charge is in flight`);
    given(initiated(), updated({ description: 'renamed' }))
      .when(updatePayment({ amount: '250.5', description: 'again' }))
      .thenFails('CONFLICT', /while its charge is in flight/);
  });

  it('still accepts description and metadata changes while the charge is in flight', () => {
    given(initiated())
      .when(updatePayment({ amount: '100.00', description: 'renamed' }))
      .then(updated({ description: 'renamed' }, NOW));
  });

  it('lets the charge outcome be recorded after an update that landed during the charge', () => {
    given(initiated(), updated({ description: 'renamed' }))
      .when(approveCharge())
      .then(processed({ occurredAt: NOW }));
  });

  it.each([
    ['processed', [initiated(), processed()]],
    ['failed', [initiated(), failed()]],
    ['partially_refunded', [initiated(), processed(), refunded('10.00', '10.00')]],
  ] as const)('conflicts when changing the amount of a %s payment', (status, history) => {
    given(...history)
      .when(updatePayment({ amount: '90.00' }))
      .thenFails('CONFLICT', new RegExp(`can no longer change: it is ${status}`));
  });

  it('accepts the current amount, re-sent with other fields, after processing: it is not a change', () => {
    given(initiated(), processed())
      .when(updatePayment({ amount: '100', description: 'new' }))
      .then(updated({ description: 'new' }, NOW));
  });

  it('changes description and metadata in any live status', () => {
    given(initiated(), processed(), refunded('100.00', '100.00'))
      .when(updatePayment({ description: 'refunded order', metadata: { a: '1' } }))
      .then(updated({ description: 'refunded order', metadata: { a: '1' } }, NOW));
  });

  it('replaces the whole metadata, it does not merge', () => {
    const state = given(initiated({ metadata: { a: '1', b: '2' } }))
      .when(updatePayment({ metadata: { c: '3' } }))
      .then(updated({ metadata: { c: '3' } }, NOW));
    expect(state.kind !== 'absent' && state.metadata).toEqual({ c: '3' });
  });

  it('clears the description with null', () => {
    const state = given(initiated({ description: 'old' }))
      .when(updatePayment({ description: null }))
      .then(updated({ description: null }, NOW));
    expect(state.kind !== 'absent' && state.description).toBeNull();
  });

  it('puts only the fields that change into the event', () => {
    given(initiated({ description: 'same', metadata: { a: '1' } }))
      .when(updatePayment({ amount: '100.00', description: 'same', metadata: { a: '2' } }))
      .then(updated({ metadata: { a: '2' } }, NOW));
  });

  it('emits nothing when nothing actually changes', () => {
    given(initiated({ description: 'd', metadata: { a: '1', b: '2' } }))
      .when(updatePayment({ amount: '0100.0', description: 'd', metadata: { b: '2', a: '1' } }))
      .then();
  });

  it('sees an earlier update: setting the value it already set is a no-op', () => {
    given(initiated(), updated({ amount: '80.00' }))
      .when(updatePayment({ amount: '80' }))
      .then();
  });

  it('needs at least one field', () => {
    given(initiated()).when(updatePayment({})).thenFails('VALIDATION', 'nothing to update');
  });

  it('parses the amount in the payment currency', () => {
    const error = given(initiated({ amount: '1500', currency: 'JPY' }))
      .when(updatePayment({ amount: '10.5' }))
      .thenFails('VALIDATION');
    expect(error.errors).toEqual([{ path: '/amount', message: 'JPY amounts take no decimals' }]);
    given(initiated({ amount: '1500', currency: 'JPY' }))
      .when(updatePayment({ amount: '1500' }))
      .then();
  });

  it('reports invalid fields before conflicts', () => {
    const error = given(initiated(), processed())
      .when(updatePayment({ amount: '-1', description: 'x'.repeat(501), metadata: { k: 5 as unknown as string } }))
      .thenFails('VALIDATION');
    expect(paths(error)).toEqual(['/amount', '/description', '/metadata/k']);
  });

  it('is not found for a payment that does not exist or is deleted', () => {
    given()
      .when(updatePayment({ description: 'x' }))
      .thenFails('NOT_FOUND', `payment ${PAYMENT_ID} not found`);
    given(initiated(), deleted())
      .when(updatePayment({ description: 'x' }))
      .thenFails('NOT_FOUND');
  });
});
