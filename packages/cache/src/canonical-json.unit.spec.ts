import { cacheKeys } from './cache-keys';
import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('gives equal objects one spelling whatever their key order, at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe(canonicalJson({ a: { c: 'x', d: [1, 2] }, b: 1 }));
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it('leaves out undefined properties, keeps array order and spells bigints and dates as strings', () => {
    expect(canonicalJson({ a: undefined, b: [3, 1, undefined] })).toBe('{"b":[3,1,null]}');
    expect(canonicalJson({ p: 12n, at: new Date('2026-01-01T00:00:00Z') })).toBe(
      '{"at":"2026-01-01T00:00:00.000Z","p":"12"}',
    );
    expect(canonicalJson(undefined)).toBe('null');
  });
});

describe('cacheKeys', () => {
  it('puts entries, tags and the epoch under the prefix, entries by type and a hash of the canonical params', () => {
    const keys = cacheKeys('gyro:');
    expect(keys.entry('payment-view', { paymentId: 'p1' })).toMatch(/^gyro:cache:payment-view:[0-9a-f]{40}$/);
    expect(keys.entry('payment-view', { paymentId: 'p1', other: undefined })).toBe(
      keys.entry('payment-view', { paymentId: 'p1' }),
    );
    expect(keys.entry('payment-view', { paymentId: 'p2' })).not.toBe(keys.entry('payment-view', { paymentId: 'p1' }));
    expect(keys.tag('payment:p1')).toBe('gyro:tag:payment:p1');
    expect(keys.epoch).toBe('gyro:tag-epoch');
  });
});
