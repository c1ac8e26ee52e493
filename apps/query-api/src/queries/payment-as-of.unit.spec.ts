import { ApplicationError } from '@gyroscops/platform';
import { paymentAsOfParams } from './payment-as-of.query';

const id = '6a1f0c3e-4b7d-4f7e-9a56-0d2a8c1b9e10';

describe('paymentAsOfParams', () => {
  it('reads ?asOf= as the instant contracts accept, canonical so equal instants share a cache entry', () => {
    expect(paymentAsOfParams(id, { asOf: '2026-03-01T12:00:00+02:00' })).toEqual({
      paymentId: id,
      asOf: '2026-03-01T10:00:00.000Z',
    });
    expect(paymentAsOfParams(id, { asOf: '2026-03-01t10:00:00.123456z' })).toEqual({
      paymentId: id,
      asOf: '2026-03-01T10:00:00.123Z',
    });
  });

  it.each([
    ['a leap second', '2026-06-30T23:59:60Z'],
    ['year 0', '0000-01-01T00:00:00Z'],
    ['before 1970', '1969-12-31T23:59:59Z'],
    ['no time zone', '2026-03-01T10:00:00'],
    ['February 30', '2026-02-30T10:00:00Z'],
    ['not a string', 42],
  ])('refuses %s with a 400 naming asOf', (_name, asOf) => {
    let thrown: unknown;
    try {
      paymentAsOfParams(id, { asOf });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ApplicationError);
    expect(thrown).toMatchObject({ code: 'VALIDATION', errors: [{ path: 'querystring:/asOf' }] });
  });

  it('answers undefined without either parameter, and refuses both together', () => {
    expect(paymentAsOfParams(id, {})).toBeUndefined();
    expect(() => paymentAsOfParams(id, { asOf: '2026-03-01T10:00:00Z', version: 2 })).toThrow(ApplicationError);
  });
});
