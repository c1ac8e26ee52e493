/**
 * Proves hashRequest identifies "the same request": stable under object key order (at any depth) and
 * under undefined fields, but different for any change of method, route or a value in the body.
 */
import { hashRequest } from './idempotency-store';

const body = {
  amount: { value: '12.50', currency: 'EUR' },
  description: 'order 42',
  tags: ['a', 'b'],
  metadata: { customer: 'c-1', nested: { flag: true, count: 3 } },
};

describe('hashRequest', () => {
  it('is a sha-256 hex digest and the same for the same request', () => {
    const hash = hashRequest('POST', '/payments', body);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRequest('POST', '/payments', structuredClone(body))).toBe(hash);
  });

  it('does not depend on the order of object keys, at any depth', () => {
    const reordered = {
      tags: ['a', 'b'],
      metadata: { nested: { count: 3, flag: true }, customer: 'c-1' },
      description: 'order 42',
      amount: { currency: 'EUR', value: '12.50' },
    };
    expect(hashRequest('POST', '/payments', reordered)).toBe(hashRequest('POST', '/payments', body));
  });

  it('ignores fields that are undefined, as JSON would', () => {
    expect(hashRequest('POST', '/payments', { ...body, note: undefined })).toBe(hashRequest('POST', '/payments', body));
  });

  it.each([
    ['an amount value', { ...body, amount: { value: '12.51', currency: 'EUR' } }],
    ['a currency', { ...body, amount: { value: '12.50', currency: 'USD' } }],
    ['a nested flag', { ...body, metadata: { customer: 'c-1', nested: { flag: false, count: 3 } } }],
    ['a number for its string', { ...body, metadata: { customer: 'c-1', nested: { flag: true, count: '3' } } }],
    ['array order', { ...body, tags: ['b', 'a'] }],
    ['an added field', { ...body, extra: null }],
    ['a removed field', { amount: body.amount, tags: body.tags, metadata: body.metadata }],
  ])('differs when the body changes: %s', (_change, changed) => {
    expect(hashRequest('POST', '/payments', changed)).not.toBe(hashRequest('POST', '/payments', body));
  });

  it('differs by method and by route', () => {
    const hash = hashRequest('POST', '/payments', body);
    expect(hashRequest('PUT', '/payments', body)).not.toBe(hash);
    expect(hashRequest('POST', '/payments/:id/refunds', body)).not.toBe(hash);
  });

  it('cannot be confused by moving text between route and body', () => {
    expect(hashRequest('POST', '/a', 'b')).not.toBe(hashRequest('POST', '/a"', 'b'));
    expect(hashRequest('POST', '/x', { a: 1 })).not.toBe(hashRequest('POST', '/x', '{"a":1}'));
  });
});
