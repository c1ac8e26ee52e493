import { initialOrganizationAccountState } from './organization-account';
import { ORG_ID, plus, reinstate, suspend, T0 } from './test-support/fixtures';
import { givenAccount, paths } from './test-support/given';

const suspended = (invoiceId: string, occurredAt = T0) => ({
  type: 'OrganizationSuspended' as const,
  data: { organizationId: ORG_ID, invoiceId, occurredAt },
});
const LATER = plus(T0, 60_000);

describe('organization account', () => {
  it('starts active, with no events', () => {
    expect(initialOrganizationAccountState).toMatchObject({ version: 0, status: 'active', suspendedFor: [] });
  });

  it('is suspended after the last failed dunning attempt of an invoice', () => {
    const state = givenAccount().when(suspend('inv-1'), T0).then(suspended('inv-1'));
    expect(state).toMatchObject({ status: 'suspended', suspendedFor: ['inv-1'], suspendedAt: T0 });
  });

  it('suspending again for the same invoice decides nothing; another uncollectible invoice is recorded too', () => {
    givenAccount(suspended('inv-1')).when(suspend('inv-1'), LATER).then();
    const state = givenAccount(suspended('inv-1')).when(suspend('inv-2'), LATER).then(suspended('inv-2', LATER));
    expect(state).toMatchObject({ suspendedFor: ['inv-1', 'inv-2'], suspendedAt: T0 });
  });

  it('is reinstated by a successful invoice payment; reinstating an active organization decides nothing', () => {
    const state = givenAccount(suspended('inv-1'))
      .when(reinstate('inv-1'), LATER)
      .then({
        type: 'OrganizationReinstated',
        data: { organizationId: ORG_ID, invoiceId: 'inv-1', occurredAt: LATER },
      });
    expect(state).toMatchObject({ status: 'active', suspendedFor: [], reinstatedAt: LATER });
    givenAccount().when(reinstate('inv-1'), LATER).then();
  });

  it('stays suspended while another uncollectible invoice holds it: the paid one is only settled', () => {
    const settled = givenAccount(suspended('inv-1'), suspended('inv-2', LATER))
      .when(reinstate('inv-1'), LATER)
      .then({
        type: 'OrganizationInvoiceSettled',
        data: { organizationId: ORG_ID, invoiceId: 'inv-1', occurredAt: LATER },
      });
    expect(settled).toMatchObject({ status: 'suspended', suspendedFor: ['inv-2'] });
    const history = [
      suspended('inv-1'),
      suspended('inv-2', LATER),
      {
        type: 'OrganizationInvoiceSettled' as const,
        data: { organizationId: ORG_ID, invoiceId: 'inv-1', occurredAt: LATER },
      },
    ];
    givenAccount(...history)
      .when(reinstate('inv-1'), LATER)
      .then();
    const state = givenAccount(...history)
      .when(reinstate('inv-2'), LATER)
      .then({
        type: 'OrganizationReinstated',
        data: { organizationId: ORG_ID, invoiceId: 'inv-2', occurredAt: LATER },
      });
    expect(state).toMatchObject({ status: 'active', suspendedFor: [] });
  });

  it('an invoice that never suspended it reinstates nothing', () => {
    givenAccount(suspended('inv-1')).when(reinstate('inv-9'), LATER).then();
  });

  it('records the payment method every invoice payment carries; the same one again decides nothing', () => {
    const method = { simulate: 'decline', card: 'visa-4242' };
    const set = (metadata: Record<string, string>) => ({
      type: 'SetPaymentMethod' as const,
      data: { organizationId: ORG_ID, metadata },
    });
    const methodSet = {
      type: 'OrganizationPaymentMethodSet' as const,
      data: { organizationId: ORG_ID, metadata: method, occurredAt: T0 },
    };
    const state = givenAccount().when(set(method), T0).then(methodSet);
    expect(state).toMatchObject({ paymentMethod: method, paymentMethodSetAt: T0, status: 'active' });
    givenAccount(methodSet)
      .when(set({ card: 'visa-4242', simulate: 'decline' }), LATER)
      .then();
    givenAccount(methodSet)
      .when(set({}), LATER)
      .then({
        type: 'OrganizationPaymentMethodSet',
        data: { organizationId: ORG_ID, metadata: {}, occurredAt: LATER },
      });
    expect(
      paths(
        givenAccount()
          .when(
            { ...set({ ok: 'x' }), data: { organizationId: ORG_ID, metadata: { bad: 1 as unknown as string } } },
            T0,
          )
          .thenFails('VALIDATION'),
      ),
    ).toEqual(['/metadata/bad']);
  });

  it('needs an organization and an invoice', () => {
    expect(paths(givenAccount().when(suspend('', ''), T0).thenFails('VALIDATION'))).toEqual([
      '/organizationId',
      '/invoiceId',
    ]);
  });
});
